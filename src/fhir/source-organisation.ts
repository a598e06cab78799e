import type { Organisation } from '../stores/control-plane.js';
import { conditionalIdentifier, isJson, type BundleIndex, type IndexedEntry, type Json } from './bundle-index.js';

/** Where a record comes from: a known organisation, or one recorded as the data names it. */
export interface SourceOrganisation {
  /** A known organisation's id, else the identifier the data gave (`system|value`, or `Organization/id`). */
  readonly id: string;
  /** Null for a known organisation (its name is looked up); else the name the data gave, if any. */
  readonly name: string | null;
}

/** The elements of each stored type that say who authored it, in the order they are asked. */
const AUTHOR_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Patient: ['managingOrganization'],
  Condition: ['asserter', 'recorder'],
  AllergyIntolerance: ['recorder', 'asserter'],
  Observation: ['performer'],
  DiagnosticReport: ['performer', 'resultsInterpreter'],
  Immunization: ['performer.actor'],
  Procedure: ['performer.onBehalfOf', 'performer.actor', 'recorder', 'asserter'],
  MedicationStatement: ['informationSource'],
  MedicationRequest: ['requester', 'performer', 'recorder'],
};

function referencesAt(resource: Json, path: string): Json[] {
  let values: unknown[] = [resource];
  for (const step of path.split('.')) {
    values = values.flatMap((v) => {
      const next = isJson(v) ? v[step] : undefined;
      return Array.isArray(next) ? (next as unknown[]) : next === undefined ? [] : [next];
    });
  }
  return values.filter(isJson);
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

/** Organisations in the bundle and who acts for whom, for one bundle's records. */
export class SourceOrganisations {
  readonly #index: BundleIndex;
  readonly #known: readonly Organisation[];
  readonly #fallback: string;
  /** Provenance entries by the key of each target they name. */
  readonly #provenance = new Map<string, Json[]>();
  readonly #documentAuthors: Json[];
  readonly #onlyOrganisation: IndexedEntry | undefined;

  constructor(index: BundleIndex, known: readonly Organisation[], fallback: string) {
    this.#index = index;
    this.#known = known;
    this.#fallback = fallback;
    for (const entry of index.entries) {
      if (entry.type !== 'Provenance') continue;
      for (const target of referencesAt(entry.resource, 'target')) {
        const resolved = typeof target.reference === 'string' ? index.resolve(target.reference, entry) : null;
        if (resolved === null || !('entry' in resolved)) continue;
        const key = `${resolved.entry.index}`;
        this.#provenance.set(key, [...(this.#provenance.get(key) ?? []), entry.resource]);
      }
    }
    const composition = index.entries.find((e) => e.type === 'Composition');
    this.#documentAuthors = composition
      ? [...referencesAt(composition.resource, 'custodian'), ...referencesAt(composition.resource, 'author')]
      : [];
    const organisations = index.entries.filter((e) => e.type === 'Organization');
    this.#onlyOrganisation = organisations.length === 1 ? organisations[0] : undefined;
  }

  /** When a Provenance in the bundle says the resource was recorded, if one does. */
  recordedAt(entry: IndexedEntry): string | null {
    for (const p of this.#provenance.get(`${entry.index}`) ?? []) {
      const recorded = str(p.recorded);
      if (recorded !== null) return recorded;
    }
    return null;
  }

  /**
   * The organisation a resource comes from: its own author elements, a Provenance naming it,
   * the document's custodian or author, the bundle's only Organization, else the importer.
   */
  of(entry: IndexedEntry): SourceOrganisation {
    const own = (AUTHOR_FIELDS[entry.type] ?? []).flatMap((f) => referencesAt(entry.resource, f));
    const provenance = (this.#provenance.get(`${entry.index}`) ?? []).flatMap((p) => [
      ...referencesAt(p, 'agent.onBehalfOf'),
      ...referencesAt(p, 'agent.who'),
    ]);
    for (const ref of [...own, ...provenance, ...this.#documentAuthors]) {
      const found = this.#organisationOf(ref, entry);
      if (found !== null) return found;
    }
    if (this.#onlyOrganisation) return this.#fromResource(this.#onlyOrganisation);
    return { id: this.#fallback, name: null };
  }

  /** The organisation a Reference names or acts for; null for a person with no organisation. */
  #organisationOf(ref: Json, from: IndexedEntry): SourceOrganisation | null {
    const reference = str(ref.reference);
    const resolved = reference === null ? null : this.#index.resolve(reference, from);
    if (resolved !== null && 'entry' in resolved) {
      const target = resolved.entry;
      if (target.type === 'Organization') return this.#fromResource(target);
      if (target.type === 'PractitionerRole') {
        const org = referencesAt(target.resource, 'organization')[0];
        return org ? this.#organisationOf(org, target) : null;
      }
      if (target.type === 'Practitioner') return this.#roleOf(target);
      return null;
    }
    if (reference === null) return null;
    const conditional = conditionalIdentifier(reference);
    if (conditional?.type === 'Organization') return this.#given(conditional.identifier, str(ref.display));
    if (reference.startsWith('Organization/')) return this.#given(reference, str(ref.display));
    return null;
  }

  /** A Practitioner's organisation, through a PractitionerRole in the bundle. */
  #roleOf(practitioner: IndexedEntry): SourceOrganisation | null {
    for (const role of this.#index.entries) {
      if (role.type !== 'PractitionerRole') continue;
      const who = referencesAt(role.resource, 'practitioner')[0];
      const resolved = who && typeof who.reference === 'string' ? this.#index.resolve(who.reference, role) : null;
      if (resolved === null || !('entry' in resolved) || resolved.entry !== practitioner) continue;
      const org = referencesAt(role.resource, 'organization')[0];
      if (org) return this.#organisationOf(org, role);
    }
    return null;
  }

  #fromResource(entry: IndexedEntry): SourceOrganisation {
    const r = entry.resource;
    const identifiers = (Array.isArray(r.identifier) ? (r.identifier as unknown[]) : []).filter(isJson);
    const keys = identifiers.flatMap((i) => (typeof i.value === 'string' ? [`${str(i.system) ?? ''}|${i.value}`] : []));
    const name = str(r.name);
    const known = this.#known.find(
      (o) =>
        o.id === entry.id ||
        keys.includes(o.id) ||
        identifiers.some((i) => i.value === o.id) ||
        (name !== null && o.name === name),
    );
    if (known) return { id: known.id, name: null };
    return { id: keys[0] ?? `Organization/${entry.id ?? entry.index}`, name };
  }

  #given(identifier: string, display: string | null): SourceOrganisation {
    const value = identifier.split('|').pop() ?? identifier;
    const known = this.#known.find((o) => o.id === identifier || o.id === value || o.name === display);
    return known ? { id: known.id, name: null } : { id: identifier, name: display };
  }
}
