import { createHash } from 'node:crypto';
import { isJson, type Json } from './bundle-index.js';

/** Identifier system that links a Patient to a global (cross-region) patient id directly. */
export const GLOBAL_ID_SYSTEM = 'urn:meridian:global-patient-id';

/** Identifier systems of national patient ids, by the jurisdiction that issues them. */
export const NATIONAL_ID_SYSTEMS: Readonly<Record<string, readonly string[]>> = {
  /** Burgerservicenummer (BSN). */
  NL: ['urn:oid:2.16.840.1.113883.2.4.6.3', 'http://fhir.nl/fhir/NamingSystem/bsn'],
  /** INS-NIR and INS-NIA (identifiant national de santé). */
  FR: ['urn:oid:1.2.250.1.213.1.4.8', 'urn:oid:1.2.250.1.213.1.4.10'],
  /** Krankenversichertennummer (KVNR, the unchangeable part). */
  DE: ['http://fhir.de/sid/gkv/kvid-10', 'http://fhir.de/NamingSystem/gkv/kvid-10'],
  /** National Health Index. */
  NZ: ['https://standards.digital.health.nz/ns/nhi-id'],
};

/**
 * Identifier systems a region of each jurisdiction trusts to say who a patient is: EU
 * members trust each member state's national id (cross-border care within the EU rests on
 * them); US states have no national patient id and trust only medical record numbers
 * namespaced by the organisation that assigns them (the identifier's system is the
 * organisation's MRN namespace). Overridden per jurisdiction by `MERIDIAN_TRUSTED_IDENTIFIERS`.
 */
export const DEFAULT_TRUSTED_SYSTEMS: Readonly<Record<string, readonly string[]>> = {
  EU: [...(NATIONAL_ID_SYSTEMS.NL ?? []), ...(NATIONAL_ID_SYSTEMS.FR ?? []), ...(NATIONAL_ID_SYSTEMS.DE ?? [])],
  NZ: NATIONAL_ID_SYSTEMS.NZ ?? [],
  /** Synthea's hospital MRN namespace, the sample US data's. */
  US: ['http://hospital.smarthealthit.org'],
};

const EU = new Set(['AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'HU', 'IE', 'IT']);
for (const code of ['LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK']) EU.add(code);

/** The systems a jurisdiction (e.g. `DE`, `US-MA`) trusts: its own entry, else its family's. */
export function trustedSystemsFor(
  jurisdiction: string,
  configured: Readonly<Record<string, readonly string[]>> = DEFAULT_TRUSTED_SYSTEMS,
): readonly string[] {
  const own = configured[jurisdiction];
  if (own) return own;
  const country = jurisdiction.split('-')[0] ?? jurisdiction;
  const family = EU.has(country) ? 'EU' : country;
  return configured[country] ?? configured[family] ?? [];
}

/** A business identifier of a Patient. */
export interface PatientIdentifier {
  readonly system: string;
  readonly value: string;
}

export function identifiersOf(patient: Json): PatientIdentifier[] {
  const list = Array.isArray(patient.identifier) ? (patient.identifier as unknown[]) : [];
  return list.flatMap((i) =>
    isJson(i) && typeof i.system === 'string' && typeof i.value === 'string' && i.value.trim() !== ''
      ? [{ system: i.system, value: i.value.trim() }]
      : [],
  );
}

/**
 * What the control plane keeps of a trusted identifier: a hash, so the index names no one.
 * (A national id has few digits: the hash hides it from a casual reader, not from a search.)
 */
export function identifierHash(identifier: PatientIdentifier): string {
  return createHash('sha256').update(`${identifier.system}|${identifier.value}`).digest('hex');
}

const fold = (text: string): string =>
  text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

/**
 * A hash of a Patient's first name, family name and birth date, folded (case, accents,
 * punctuation): two records with the same one are probably the same person, which only
 * a person may decide. Null without a family name or a full birth date.
 */
export function demographicHash(patient: Json): string | null {
  const birthDate = typeof patient.birthDate === 'string' ? patient.birthDate : '';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(birthDate)) return null;
  const names = (Array.isArray(patient.name) ? (patient.name as unknown[]) : []).filter(isJson);
  const name = names.find((n) => n.use === 'official') ?? names[0];
  const family = typeof name?.family === 'string' ? fold(name.family) : '';
  const given = Array.isArray(name?.given) && typeof name.given[0] === 'string' ? fold(name.given[0]) : '';
  if (family === '') return null;
  return createHash('sha256').update(`${family}|${given}|${birthDate}`).digest('hex');
}
