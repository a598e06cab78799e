import { describe, expect, it } from 'vitest';
import { regionListSchema } from '../config/regions.js';
import { contentHash } from '../domain/canonical-json.js';
import { ACT_CODE_LABELS, CATEGORY_OF, SENSITIVITY_SYSTEM, type FhirResource } from '../domain/fhir.js';
import { recordKey } from '../domain/record.js';
import { generateDemoData, generateDemoPatients, type DemoData, type DemoPatient } from './generator.js';

const regions = regionListSchema.parse('eu-de=DE,eu-fr=FR,us-ma=US-MA');
const demo = generateDemoData({ patients: 60, regions });

function allRecords(data: DemoData) {
  return data.patients.flatMap((p) =>
    p.locations.flatMap((l) => l.records.map((r) => ({ patient: p, location: l, record: r }))),
  );
}

function codingSystems(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) codingSystems(v, into);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'system' && typeof v === 'string') into.add(v);
      else codingSystems(v, into);
    }
  }
  return into;
}

const regionsOf = (p: DemoPatient): string[] => p.locations.map((l) => l.region);

describe('generateDemoData', () => {
  it('is deterministic: the same options give identical output, another seed different output', () => {
    const again = generateDemoData({ patients: 60, regions });
    expect(JSON.stringify(again)).toBe(JSON.stringify(demo));
    const other = generateDemoData({ patients: 60, regions, seed: 7 });
    expect(other.patients[0]?.globalId).not.toBe(demo.patients[0]?.globalId);
  });

  it('adds patients without changing the existing ones when the count grows', () => {
    const fewer = generateDemoData({ patients: 20, regions });
    expect(JSON.stringify(fewer.patients)).toBe(JSON.stringify(demo.patients.slice(0, 20)));
  });

  it('has the showcase patients: French resident treated in Germany, US traveller in France, one in all regions', () => {
    const [p0, p1, p2] = demo.patients;
    expect(p0?.homeRegion).toBe('eu-fr');
    expect(regionsOf(p0!)).toEqual(['eu-fr', 'eu-de']);
    expect(p1?.homeRegion).toBe('us-ma');
    expect(regionsOf(p1!)).toEqual(['us-ma', 'eu-fr']);
    expect(regionsOf(p2!).sort()).toEqual(['eu-de', 'eu-fr', 'us-ma']);

    const inGermany = p0!.locations.find((l) => l.region === 'eu-de')!;
    expect(new Set(inGermany.records.map((r) => r.sourceOrg))).toEqual(new Set(['charite-berlin']));
    const patient = inGermany.records.find((r) => r.resourceType === 'Patient')!.resource as FhirResource & {
      address: { country: string }[];
      identifier: { value: string }[];
    };
    expect(patient.address[0]?.country).toBe('FR');
    expect(patient.identifier[0]?.value).toBe(inGermany.localId);
  });

  it('links pseudonymous global ids to region-local ids that differ per region', () => {
    const ids = demo.patients.map((p) => p.globalId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of demo.patients) {
      expect(p.globalId).toMatch(/^mp-[0-9a-f]{12}$/);
      const locals = p.locations.map((l) => l.localId);
      expect(new Set(locals).size).toBe(locals.length);
      for (const l of p.locations) {
        expect(l.localId.startsWith(`${l.region}-`)).toBe(true);
        expect(l.localId).not.toContain(p.globalId.slice(3));
      }
    }
  });

  it('treats about a quarter of patients in two regions and some in three', () => {
    const big = [...generateDemoPatients({ patients: 400, regions })];
    const two = big.filter((p) => p.locations.length === 2).length / big.length;
    const three = big.filter((p) => p.locations.length === 3).length / big.length;
    expect(two).toBeGreaterThan(0.17);
    expect(two).toBeLessThan(0.33);
    expect(three).toBeGreaterThan(0.03);
    expect(three).toBeLessThan(0.14);
  });

  it('gives every location a Patient and 5-25 clinical resources referencing it', () => {
    for (const p of demo.patients) {
      for (const l of p.locations) {
        const [first, ...clinical] = l.records;
        expect(first?.resourceType).toBe('Patient');
        expect(first?.resourceId).toBe(l.localId);
        expect(clinical.length).toBeGreaterThanOrEqual(5);
        expect(clinical.length).toBeLessThanOrEqual(25);
        for (const r of clinical) {
          const ref = (r.resource.subject ?? r.resource.patient) as { reference: string };
          expect(ref.reference).toBe(`Patient/${l.localId}`);
          expect(r.patientId).toBe(l.localId);
        }
      }
    }
  });

  it('uses the standard code systems', () => {
    const systems = codingSystems(allRecords(demo).map((r) => r.record.resource));
    for (const uri of [
      'http://snomed.info/sct',
      'http://hl7.org/fhir/sid/icd-10',
      'http://loinc.org',
      'http://www.whocc.no/atc',
      'http://www.nlm.nih.gov/research/umls/rxnorm',
      'http://unitsofmeasure.org',
      'http://hl7.org/fhir/sid/cvx',
    ]) {
      expect(systems, uri).toContain(uri);
    }
    const types = new Set(allRecords(demo).map((r) => r.record.resourceType));
    // MedicationRequest is what imports bring (Synthea writes it); the demo states medications as statements.
    expect([...types].sort()).toEqual(
      Object.keys(CATEGORY_OF)
        .filter((t) => t !== 'MedicationRequest')
        .sort(),
    );
  });

  it('labels sensitive records of every kind, for 10-15% of patients, in meta.security and the column', () => {
    const records = allRecords(demo);
    const labels = new Set(records.flatMap((r) => r.record.sensitivity));
    expect([...labels].sort()).toEqual([...ACT_CODE_LABELS].sort());
    const sensitivePatients = new Set(
      records.filter((r) => r.record.sensitivity.length > 0).map((r) => r.patient.globalId),
    );
    expect(sensitivePatients.size / demo.patients.length).toBeGreaterThanOrEqual(0.1);
    expect(sensitivePatients.size / demo.patients.length).toBeLessThanOrEqual(0.15);
    for (const { record } of records) {
      const security = record.resource.meta?.security ?? [];
      expect(security.map((c) => `${c.system}|${c.code}`)).toEqual(
        record.sensitivity.map((label) => `${SENSITIVITY_SYSTEM}|${label}`),
      );
    }
    const sertraline = records.filter((r) => JSON.stringify(r.record.resource).includes('"N06AB06"'));
    expect(sertraline.every((r) => r.record.sensitivity.join() === 'PSY')).toBe(true);
  });

  it('derives every stored column from the resource: hash, category, lastUpdated, author', () => {
    for (const { location, record } of allRecords(demo)) {
      expect(record.contentHash).toBe(contentHash(record.resource));
      expect(record.category).toBe(CATEGORY_OF[record.resourceType]);
      expect(record.resource.resourceType).toBe(record.resourceType);
      expect(record.resource.id).toBe(record.resourceId);
      expect(record.lastUpdated.toISOString().replace('.000Z', 'Z')).toBe(record.resource.meta?.lastUpdated);
      expect(record.lastUpdated.getTime()).toBeLessThanOrEqual(Date.parse('2026-01-01T00:00:00Z'));
      expect(record.sourceOrg).toBe(demo.organisations[regions.findIndex((r) => r.id === location.region)]?.id);
    }
  });

  it('keeps resource ids unique within each region', () => {
    const byRegion = new Map<string, string[]>();
    for (const { location, record } of allRecords(demo)) {
      byRegion.set(location.region, [...(byRegion.get(location.region) ?? []), recordKey(record)]);
    }
    for (const [, keys] of byRegion) expect(new Set(keys).size).toBe(keys.length);
  });

  it('has the staff personas and one persona per cross-border patient, without patient names', () => {
    const byName = new Map(demo.personas.map((p) => [p.name, p]));
    expect(byName.get('dr-weber')).toMatchObject({
      role: 'clinician',
      organisationId: 'charite-berlin',
      displayName: 'Dr. Anna Weber',
    });
    expect(byName.get('dr-martin')).toMatchObject({ role: 'clinician', organisationId: 'aphp-paris' });
    expect(byName.get('dr-johnson')).toMatchObject({ role: 'clinician', organisationId: 'mgh-boston' });
    expect(byName.get('officer-dubois')).toMatchObject({ role: 'compliance_officer', organisationId: 'aphp-paris' });
    expect(byName.get('auditor-klein')).toMatchObject({ role: 'auditor', organisationId: 'charite-berlin' });
    const crossBorder = demo.patients.filter((p) => p.locations.length > 1);
    const patientPersonas = demo.personas.filter((p) => p.role === 'patient');
    expect(patientPersonas.map((p) => p.patientId).sort()).toEqual(crossBorder.map((p) => p.globalId).sort());
    const p0 = demo.patients[0]!;
    expect(byName.get(`patient-${p0.globalId}`)).toEqual({
      name: `patient-${p0.globalId}`,
      displayName: `Patient ${p0.globalId}`,
      role: 'patient',
      // Signed in through their jurisdiction's patient identity provider, never a hospital.
      organisationId: 'patient-id-fr',
      patientId: p0.globalId,
    });
    for (const persona of patientPersonas) {
      const patient = demo.patients.find((p) => p.globalId === persona.patientId)!;
      expect(persona.displayName).not.toContain(patient.name.split(' ')[1]);
    }
  });

  it('gives a fourth configured region a hospital and patients with no code change', () => {
    const four = regionListSchema.parse('eu-de=DE,eu-fr=FR,us-ma=US-MA,ap-sg=SG');
    const data = generateDemoData({ patients: 60, regions: four });
    expect(data.organisations).toContainEqual({ id: 'hospital-ap-sg', name: 'Hospital (ap-sg)', jurisdiction: 'SG' });
    expect(data.organisations.at(-1)).toEqual({
      id: 'patient-id-sg',
      name: 'Patient identity service (SG)',
      jurisdiction: 'SG',
    });
    const inSg = data.patients.flatMap((p) => p.locations).filter((l) => l.region === 'ap-sg');
    expect(inSg.length).toBeGreaterThan(5);
    expect(inSg.every((l) => l.records.every((r) => r.sourceOrg === 'hospital-ap-sg'))).toBe(true);
    expect(regionsOf(data.patients[2]!).sort()).toEqual(['eu-de', 'eu-fr', 'us-ma']);
  });

  it('creates personas only for hospitals that exist', () => {
    const data = generateDemoData({ patients: 10, regions: regionListSchema.parse('eu-de=DE,eu-fr=FR') });
    expect(data.organisations.map((o) => o.id)).toEqual([
      'charite-berlin',
      'aphp-paris',
      'patient-id-de',
      'patient-id-fr',
    ]);
    const orgs = new Set(data.personas.map((p) => p.organisationId));
    expect(orgs.has('mgh-boston')).toBe(false);
    expect(data.personas.some((p) => p.name === 'dr-johnson')).toBe(false);
    expect(data.patients.every((p) => p.locations.every((l) => l.region !== 'us-ma'))).toBe(true);
  });

  it('scales to 100,000+ records with --records-per-patient 25 for 5000 patients', () => {
    let records = 0;
    for (const p of generateDemoPatients({ patients: 5000, regions, recordsPerPatient: 25 })) {
      for (const l of p.locations) records += l.records.length;
    }
    expect(records).toBeGreaterThanOrEqual(100_000);
  });

  it('refuses nonsense options', () => {
    expect(() => generateDemoData({ patients: -1, regions })).toThrow(/patients/);
    expect(() => generateDemoData({ patients: 1, regions: [] })).toThrow(/region/);
    expect(() => generateDemoData({ patients: 1, regions, recordsPerPatient: 0 })).toThrow(/records per patient/);
  });
});
