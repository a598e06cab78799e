import { badInput } from '../../domain/errors.js';

/** A position in the merged, cross-region record order (lastUpdated desc, region asc, key asc). */
export interface RecordCursor {
  readonly lastUpdated: Date;
  readonly region: string;
  readonly key: string;
}

/** Opaque to clients: base64url of the position. */
export function encodeCursor(cursor: RecordCursor): string {
  return Buffer.from(JSON.stringify([cursor.lastUpdated.toISOString(), cursor.region, cursor.key])).toString(
    'base64url',
  );
}

export function decodeCursor(text: string): RecordCursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 3 && parsed.every((p) => typeof p === 'string')) {
      const [iso, region, key] = parsed as [string, string, string];
      const lastUpdated = new Date(iso);
      if (!Number.isNaN(lastUpdated.getTime())) return { lastUpdated, region, key };
    }
  } catch {
    // reported below
  }
  throw badInput('The `after` cursor is not one this API returned.', { field: 'after' });
}

/** Strict order of the merged list, newest first. */
export function compareRecords(a: RecordCursor, b: RecordCursor): number {
  return (
    b.lastUpdated.getTime() - a.lastUpdated.getTime() ||
    (a.region < b.region ? -1 : a.region > b.region ? 1 : 0) ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
  );
}
