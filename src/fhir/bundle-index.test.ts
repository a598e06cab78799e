import { describe, expect, it } from 'vitest';
import { BundleIndex, type IndexedEntry } from './bundle-index.js';

const entries = [
  { fullUrl: 'urn:uuid:11111111-1111-4111-8111-111111111111', resource: { resourceType: 'Patient', id: 'p1' } },
  { fullUrl: 'https://hospital.example/fhir/Patient/p2', resource: { resourceType: 'Patient', id: 'p2' } },
  { fullUrl: 'https://other.example/fhir/Patient/p2', resource: { resourceType: 'Patient', id: 'p2-other' } },
  {
    fullUrl: 'https://hospital.example/fhir/Observation/o1',
    resource: { resourceType: 'Observation', id: 'o1', contained: [{ resourceType: 'Medication', id: 'm' }] },
  },
  {
    fullUrl: 'urn:uuid:22222222-2222-4222-8222-222222222222',
    resource: { resourceType: 'Organization', identifier: [{ system: 'urn:oid:1.2.3', value: 'org-9' }] },
  },
  { fullUrl: 'urn:oid:1.2.3.4.5', resource: { resourceType: 'Practitioner', id: 'dr' } },
  { fullUrl: null, resource: { resourceType: 'Condition', id: 'c1' } },
].map((e, index) => ({ ...e, index }));

const index = new BundleIndex(entries);
const at = (i: number): IndexedEntry => index.entries[i]!;
const target = (reference: string, from: number): string | null => {
  const r = index.resolve(reference, at(from));
  if (r === null) return null;
  return 'entry' in r ? `entry ${r.entry.index}` : `contained ${String(r.contained.id)}`;
};

describe('BundleIndex: FHIR R4 reference resolution within a bundle', () => {
  it('resolves urn:uuid, urn:oid and absolute references by fullUrl, ignoring a _history suffix', () => {
    expect(target('urn:uuid:11111111-1111-4111-8111-111111111111', 6)).toBe('entry 0');
    expect(target('urn:oid:1.2.3.4.5', 6)).toBe('entry 5');
    expect(target('https://other.example/fhir/Patient/p2/_history/3', 6)).toBe('entry 2');
  });

  it('resolves a relative reference against the RESTful base of the referring entry first', () => {
    expect(target('Patient/p2', 3)).toBe('entry 1');
    // From an entry without a RESTful fullUrl, by type and id.
    expect(target('Patient/p1', 6)).toBe('entry 0');
  });

  it('resolves a conditional reference by identifier, and contained resources by #id', () => {
    expect(target('Organization?identifier=urn:oid:1.2.3|org-9', 6)).toBe('entry 4');
    expect(target('Organization?identifier=org-9', 6)).toBe('entry 4');
    expect(target('Organization?identifier=urn:oid:1.2.3|nobody', 6)).toBeNull();
    expect(target('#m', 3)).toBe('contained m');
    expect(target('#m', 6)).toBeNull();
  });

  it('leaves references outside the bundle unresolved, and stores a resource without id under its urn:uuid', () => {
    expect(target('Patient/elsewhere', 6)).toBeNull();
    expect(target('https://elsewhere.example/fhir/Patient/p1', 6)).toBeNull();
    expect(at(4).id).toBe('22222222-2222-4222-8222-222222222222');
    expect(at(4).label).toBe('entry[4] (Organization/22222222-2222-4222-8222-222222222222)');
  });
});
