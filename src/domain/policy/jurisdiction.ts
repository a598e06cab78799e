import { z } from 'zod';

/**
 * A jurisdiction code: an ISO 3166 country or subdivision (`DE`, `US-MA`), or the id of
 * a policy family (`EU`, `UK`). The same alphabet as region configuration and the chaincode.
 */
export const JURISDICTION_PATTERN = /^[A-Z]{2}(-[A-Z0-9]{1,3})?$/;

export const jurisdictionCode = z
  .string()
  .regex(JURISDICTION_PATTERN, 'must be a jurisdiction code such as EU, DE or US-MA');

/**
 * True when a `covers` entry takes in `code`: the same code, or the country of a
 * subdivision (`US` covers `US-MA`), so a new state needs no policy change.
 */
export function coversJurisdiction(entry: string, code: string): boolean {
  return entry === code || code.startsWith(`${entry}-`);
}

/**
 * True when an entry of a destination list (adequacy decisions, a consent's destinations
 * or jurisdiction grantee) names `code`: directly, as its country, or as one of the policy
 * families `code` belongs to (`EU` names `FR`, `UK` names `GB`).
 */
export function namesJurisdiction(entry: string, code: string, families: readonly string[]): boolean {
  return coversJurisdiction(entry, code) || families.includes(entry);
}

/** The country of a jurisdiction code: `US` for `US-MA`, `DE` for `DE`. */
export function countryOf(code: string): string {
  return code.split('-')[0] ?? code;
}

/**
 * True when two codes are one country: equal, or subdivisions of it (`DE-BY` and `DE`).
 * Data moving between them is no transfer; between two countries of one family it is.
 */
export function sameCountry(a: string, b: string): boolean {
  return countryOf(a) === countryOf(b);
}
