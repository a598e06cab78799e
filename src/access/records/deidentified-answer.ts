import { SealedBox } from '../../cache/sealed-box.js';
import { deidentifyRecord, pseudonymsFor, type Pseudonyms } from '../../domain/deidentify.js';
import { badInput } from '../../domain/errors.js';
import type { StoredRecord } from '../../domain/record.js';
import { decodeCursor, encodeCursor, type RecordCursor } from './cursor.js';

/**
 * How an answer is de-identified where the decision says so (research under a policy asking
 * for Safe Harbor): records and the patient id pseudonymous per requesting organisation and
 * study, and paging cursors sealed, since a plain one would carry a record id and exact time.
 */
export class DeidentifiedAnswers {
  readonly #key: Buffer;
  readonly #box: SealedBox;

  /** @param key 32 bytes (MERIDIAN_PSEUDONYM_KEY): gateways that share it give the same pseudonyms. */
  constructor(key: Buffer) {
    this.#key = key;
    this.#box = new SealedBox(key);
  }

  /** The view of one requester and study. */
  for(requesterOrganisation: string, study: string): DeidentifiedView {
    const pseudonyms = pseudonymsFor(this.#key, requesterOrganisation, study);
    const aad = `meridian.cursor\n${requesterOrganisation}\n${study}`;
    return {
      patient: (globalId) => pseudonyms.patient(globalId),
      record: (record, globalId) => deidentifyRecord(record, pseudonyms, globalId),
      sealCursor: (cursor) => this.#box.seal(Buffer.from(encodeCursor(cursor)), aad).toString('base64url'),
      openCursor: (text) => {
        const opened = this.#box.open(Buffer.from(text, 'base64url'), aad);
        if (opened === null) throw badInput('The `after` cursor is not one this API returned.', { field: 'after' });
        return decodeCursor(opened.toString('utf8'));
      },
    };
  }
}

export interface DeidentifiedView {
  readonly patient: Pseudonyms['patient'];
  record(record: StoredRecord, globalId: string): StoredRecord;
  sealCursor(cursor: RecordCursor): string;
  openCursor(text: string): RecordCursor;
}
