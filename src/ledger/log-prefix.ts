import { open } from 'node:fs/promises';
import type { IntegrityFault } from './ledger-integrity-error.js';
import { hashEntryBody, parseLogEntry, type LogEntry } from './log-entry.js';

/** The entry a state snapshot names, and where its line starts in the log. */
export interface SnapshotHead {
  readonly entry: LogEntry;
  /** Byte offset of the entry's line. */
  readonly start: number;
}

const CHUNK = 256 * 1024;

/**
 * The transactions from `from` up to the snapshot's head, read backward from the head's line.
 * The open replayed none of them, so each is checked by hash against the one after it: the
 * chain then ends at the head hash the snapshot's signature vouches for, which makes each one
 * the transaction the ledger committed there (signatures add nothing to that). Returns a
 * fault instead when a line does not chain. Reads only as far back as `from`.
 */
export async function readEntriesBefore(
  file: string,
  head: SnapshotHead,
  from: number,
): Promise<{ readonly entries: LogEntry[] } | { readonly fault: IntegrityFault }> {
  const lines = await readLinesBackward(file, head.start, head.entry.sequence - Math.max(1, from));
  const entries: LogEntry[] = [head.entry];
  for (const line of lines) {
    const next = entries[entries.length - 1] ?? head.entry;
    const sequence = next.sequence - 1;
    let entry: LogEntry | null;
    try {
      entry = parseLogEntry(line);
    } catch {
      entry = null;
    }
    if (entry?.sequence !== sequence || hashEntryBody(entry) !== entry.hash || entry.hash !== next.prevHash) {
      const message = `transaction #${String(sequence)} (line ${String(sequence)}) is not the one the transaction after it links to`;
      return { fault: { sequence, txId: entry?.txId ?? null, line: sequence, problem: 'previous-hash', message } };
    }
    entries.push(entry);
  }
  if (entries.length < head.entry.sequence - Math.max(1, from) + 1) {
    const sequence = (entries[entries.length - 1]?.sequence ?? head.entry.sequence) - 1;
    const message = `transaction #${String(sequence)} is missing before the state snapshot's head`;
    return { fault: { sequence, txId: null, line: sequence, problem: 'missing', message } };
  }
  return { entries: entries.reverse() };
}

/** Up to `count` whole lines ending at byte `end` (just after a newline), last first. */
async function readLinesBackward(file: string, end: number, count: number): Promise<string[]> {
  const lines: string[] = [];
  if (count <= 0) return lines;
  const handle = await open(file, 'r');
  try {
    let position = end;
    // From a line's start up to where the previous read began: it ends with a newline.
    let carry: Buffer = Buffer.alloc(0);
    while (position > 0 && lines.length < count) {
      const size = Math.min(CHUNK, position);
      position -= size;
      const chunk = Buffer.alloc(size);
      await handle.read(chunk, 0, size, position);
      carry = takeLines(Buffer.concat([chunk, carry]), position === 0, lines, count);
    }
  } finally {
    await handle.close();
  }
  return lines;
}

/**
 * Adds the whole lines of `data` (which ends with a newline) to `lines`, last first, up to
 * `count`; returns the bytes of a first line that began before `data`, unless `data` starts the file.
 */
function takeLines(data: Buffer, startsFile: boolean, lines: string[], count: number): Buffer {
  let lineEnd = data.length - 1;
  while (lines.length < count) {
    const newline = lineEnd > 0 ? data.lastIndexOf(0x0a, lineEnd - 1) : -1;
    if (newline < 0) {
      if (!startsFile) return data.subarray(0, lineEnd + 1);
      lines.push(data.toString('utf8', 0, lineEnd));
      break;
    }
    lines.push(data.toString('utf8', newline + 1, lineEnd));
    lineEnd = newline;
  }
  return Buffer.alloc(0);
}
