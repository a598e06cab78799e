/**
 * Resolves references between the entries of one FHIR R4 Bundle as the specification says
 * (R4 Bundle §2.36.4 "Resolving references in Bundles", References §2.3.0):
 * - an absolute reference (`urn:uuid:`, `urn:oid:`, `http(s)://…`) names the entry whose
 *   `fullUrl` is that URL (a `_history` version suffix is ignored);
 * - a relative reference `Type/id` is resolved against the base of the referring entry's
 *   `fullUrl` when that is a RESTful URL, else (or when no entry has that URL) it names the
 *   entry holding a resource of that type and id;
 * - a conditional reference `Type?identifier=system|value` (transactions) names the one
 *   entry of that type with that identifier;
 * - `#id` names a contained resource of the referring resource.
 * An unresolved reference is not an error here: it points outside the bundle.
 */

export type Json = Record<string, unknown>;

export const isJson = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** One entry of the bundle, with the id it is stored under. */
export interface IndexedEntry {
  readonly index: number;
  readonly fullUrl: string | null;
  readonly resource: Json;
  readonly type: string;
  /** The resource's id, else the uuid of a `urn:uuid:` fullUrl, else null. */
  readonly id: string | null;
  /** `entry[3] (Observation/abc)`: how errors name the entry. */
  readonly label: string;
}

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const ABSOLUTE = /^[A-Za-z][A-Za-z0-9+.-]*:/;
const RESTFUL = /^(https?:\/\/.+)\/([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(\/_history\/[A-Za-z0-9\-.]+)?$/;
const RELATIVE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(\/_history\/[A-Za-z0-9\-.]+)?$/;
const CONDITIONAL = /^([A-Z][A-Za-z]+)\?(.+)$/;
const URN_UUID = /^urn:uuid:([0-9a-fA-F-]{36})$/;

function idOf(resource: Json, fullUrl: string | null): string | null {
  if (typeof resource.id === 'string' && FHIR_ID.test(resource.id)) return resource.id;
  const uuid = fullUrl === null ? undefined : URN_UUID.exec(fullUrl)?.[1];
  return uuid?.toLowerCase() ?? null;
}

function labelOf(index: number, type: string, id: string | null): string {
  return `entry[${index}] (${type}${id === null ? '' : `/${id}`})`;
}

/** `system|value` pairs of a resource's identifiers. */
function identifierKeys(resource: Json): string[] {
  const identifiers: unknown = resource.identifier;
  const list: unknown[] = Array.isArray(identifiers) ? identifiers : isJson(identifiers) ? [identifiers] : [];
  return list.flatMap((i) =>
    isJson(i) && typeof i.value === 'string'
      ? [`${typeof i.system === 'string' ? i.system : ''}|${i.value}`, `*|${i.value}`]
      : [],
  );
}

/** A resolved reference: a bundle entry, or a contained resource of the referring one. */
export type Resolved = { readonly entry: IndexedEntry } | { readonly contained: Json };

/** The entries of one bundle, indexed for reference resolution. */
export class BundleIndex {
  readonly entries: readonly IndexedEntry[];
  readonly #byFullUrl = new Map<string, IndexedEntry>();
  readonly #byTypeId = new Map<string, IndexedEntry>();
  readonly #byIdentifier = new Map<string, IndexedEntry[]>();

  constructor(entries: readonly { fullUrl: string | null; resource: Json; index: number }[]) {
    this.entries = entries.map(({ fullUrl, resource, index }) => {
      const type = typeof resource.resourceType === 'string' ? resource.resourceType : 'unknown';
      const id = idOf(resource, fullUrl);
      return { index, fullUrl, resource, type, id, label: labelOf(index, type, id) };
    });
    for (const entry of this.entries) {
      if (entry.fullUrl !== null) this.#byFullUrl.set(withoutHistory(entry.fullUrl), entry);
      if (entry.id !== null) this.#byTypeId.set(`${entry.type}/${entry.id}`, entry);
      for (const key of identifierKeys(entry.resource)) {
        const k = `${entry.type}?${key}`;
        this.#byIdentifier.set(k, [...(this.#byIdentifier.get(k) ?? []), entry]);
      }
    }
  }

  /** What `reference`, written in `from`, points at inside the bundle; null when outside it. */
  resolve(reference: string, from: IndexedEntry | null, holder?: Json): Resolved | null {
    if (reference.startsWith('#')) {
      const contained = (holder ?? from?.resource)?.contained;
      const found = Array.isArray(contained)
        ? (contained as unknown[]).find((c) => isJson(c) && c.id === reference.slice(1))
        : undefined;
      return isJson(found) ? { contained: found } : null;
    }
    const entry = this.#resolveEntry(reference, from);
    return entry === null ? null : { entry };
  }

  #resolveEntry(reference: string, from: IndexedEntry | null): IndexedEntry | null {
    const conditional = CONDITIONAL.exec(reference);
    if (conditional) return this.#conditional(conditional[1] ?? '', conditional[2] ?? '');
    if (ABSOLUTE.test(reference)) return this.#absolute(reference);
    const relative = RELATIVE.exec(reference);
    return relative ? this.#relative(`${relative[1] ?? ''}/${relative[2] ?? ''}`, from) : null;
  }

  /** Only the entry with that fullUrl: the same type and id on another server is another resource. */
  #absolute(reference: string): IndexedEntry | null {
    return this.#byFullUrl.get(withoutHistory(reference)) ?? null;
  }

  #relative(typeId: string, from: IndexedEntry | null): IndexedEntry | null {
    const base = from?.fullUrl ? RESTFUL.exec(from.fullUrl)?.[1] : undefined;
    const onBase = base === undefined ? undefined : this.#byFullUrl.get(`${base}/${typeId}`);
    return onBase ?? this.#byTypeId.get(typeId) ?? null;
  }

  /** `Type?identifier=system|value` (or `identifier=value`): exactly one match, else unresolved. */
  #conditional(type: string, query: string): IndexedEntry | null {
    const params = new URLSearchParams(query);
    const identifier = params.get('identifier');
    if (identifier === null || [...params.keys()].length !== 1) return null;
    const key = identifier.includes('|') ? identifier : `*|${identifier}`;
    const matches = this.#byIdentifier.get(`${type}?${key}`) ?? [];
    return matches.length === 1 ? (matches[0] ?? null) : null;
  }
}

function withoutHistory(url: string): string {
  return url.replace(/\/_history\/[A-Za-z0-9\-.]+$/, '');
}

/**
 * For a conditional reference left unresolved, the identifier it searches by (`system|value`),
 * e.g. an Organization the bundle names by identifier only.
 */
export function conditionalIdentifier(reference: string): { type: string; identifier: string } | null {
  const m = CONDITIONAL.exec(reference);
  if (!m) return null;
  const identifier = new URLSearchParams(m[2] ?? '').get('identifier');
  return identifier === null ? null : { type: m[1] ?? '', identifier };
}

/** The type a relative or RESTful reference names, if it says. */
export function referencedType(reference: string): string | null {
  return RELATIVE.exec(reference)?.[1] ?? RESTFUL.exec(reference)?.[2] ?? CONDITIONAL.exec(reference)?.[1] ?? null;
}
