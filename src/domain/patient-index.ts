import { hash } from 'node:crypto';

/** The columns of one stored record that decide what a read discloses: its census line. */
export interface CensusRow {
  readonly key: string;
  readonly category: string;
  /** Its sensitivity labels (any order). */
  readonly sensitivity: readonly string[];
  readonly contentHash: string;
}

function sha256(text: string): string {
  return hash('sha256', text);
}

/**
 * The hash the ledger keeps for one patient-index entry: that `region` holds the patient's
 * records under `localIds` (one, or several when one person came in as several Patient
 * resources). It binds all of them, so a row pointed at another local id (or another
 * patient's), added or removed no longer matches; it names no one.
 */
export function locationHash(patientRef: string, region: string, localIds: readonly string[]): string {
  return sha256(`meridian.location\n${patientRef}\n${region}\n${[...localIds].sort().join('\n')}`);
}

/**
 * The digest the ledger keeps of which records a region holds for a patient: every key with
 * its category, sensitivity labels and content hash. A deleted row, a row added behind the
 * gateway's back or a relabelled one changes it. Order-independent.
 */
export function censusDigest(rows: readonly CensusRow[]): string {
  const lines = rows
    .map((r) => `${r.key}\t${r.category}\t${[...r.sensitivity].sort().join(',')}\t${r.contentHash}`)
    .sort();
  return sha256(`meridian.census\n${lines.join('\n')}`);
}

/** A ledger patient-index entry as the gateway reads it. */
export interface AnchoredLocation {
  readonly region: string;
  readonly location: string;
}

/**
 * The entry that says a region no longer holds records of the patient (a merge moved them to
 * another patient): the location of no local id at all. The ledger keeps entries forever, so
 * a vacated region is an entry like any other, written only by an explicit index change.
 */
export function vacatedLocation(patientRef: string, region: string): string {
  return locationHash(patientRef, region, []);
}

/** The entries of a patient's ledger state that place records in a region (vacated ones left out). */
export function liveLocations<T extends AnchoredLocation>(patientRef: string, locations: readonly T[]): T[] {
  return locations.filter((l) => l.location !== vacatedLocation(patientRef, l.region));
}
