import { describe, expect, it } from 'vitest';
import { censusDigest, type CensusRow } from '../../domain/patient-index.js';
import type { RecordStore } from '../../stores/record-store.js';
import { RegionLabels } from './region-labels.js';

/** A region whose census rows can be changed behind the memory's back, counting the reads. */
function region(rows: CensusRow[]) {
  const state = { rows, reads: 0 };
  const store = {
    census: () => {
      state.reads++;
      return Promise.resolve(state.rows);
    },
  } as unknown as RecordStore;
  return { state, labels: new RegionLabels(new Map([['eu-de', store]])) };
}

const row = (key: string, sensitivity: string[]): CensusRow => ({
  key,
  category: 'problems',
  sensitivity,
  contentHash: key,
});
const here = { region: 'eu-de', localId: 'p1' };

describe('RegionLabels', () => {
  it('remembers labels whose rows match the anchored census digest, until that digest moves or the patient is erased', async () => {
    const rows = [row('Condition/1', ['PSY']), row('Condition/2', ['HIV', 'PSY'])];
    const { state, labels } = region(rows);
    const anchored = censusDigest(rows);
    expect(await labels.of(here, anchored, 'pat-1')).toEqual(['HIV', 'PSY']);
    expect(await labels.of(here, anchored, 'pat-1')).toEqual(['HIV', 'PSY']);
    expect(state.reads).toBe(1);
    // The region's content moved: a new digest is asked afresh.
    state.rows = [row('Condition/1', ['PSY'])];
    expect(await labels.of(here, censusDigest(state.rows), 'pat-1')).toEqual(['PSY']);
    expect(state.reads).toBe(2);
    labels.forgetPatient('pat-1');
    await labels.of(here, censusDigest(state.rows), 'pat-1');
    expect(state.reads).toBe(3);
  });

  it('answers labels from rows that do not match the digest as read, and never keeps them; none without a digest', async () => {
    const anchored = censusDigest([row('Condition/1', [])]);
    const { state, labels } = region([row('Condition/1', ['SUD'])]);
    expect(await labels.of(here, anchored, 'pat-1')).toEqual(['SUD']);
    state.rows = [row('Condition/1', [])];
    expect(await labels.of(here, anchored, 'pat-1')).toEqual([]);
    expect(await labels.of(here, undefined, 'pat-1')).toEqual([]);
    expect(await labels.of(here, undefined, 'pat-1')).toEqual([]);
    expect(state.reads).toBe(4);
    expect(await labels.of({ region: 'us-ma', localId: 'x' }, anchored, 'pat-1')).toEqual([]);
  });
});
