import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateFhir } from '../src/fhir/validation.js';
import { startTestGateway, type GraphQLResponse, type TestGateway } from './support/gateway.js';
import { validateIps } from './support/ips-profiles.js';

/**
 * Real FHIR in: every bundle of ../shared/fhir-samples (HL7 IPS examples, Synthea R4
 * patients and its hospital and practitioner bundles), as they are, pushed through the
 * importBundle mutation by each hospital's integration user, then read back as a clinician.
 */

/** Beside the clone, as in CI: <repo>/../shared/fhir-samples. */
const SAMPLES = path.resolve(import.meta.dirname, '../../shared/fhir-samples');
const HAVE_SAMPLES = existsSync(SAMPLES);
if (!HAVE_SAMPLES) console.log(`FHIR sample tests: SKIPPED, no ${SAMPLES} (the shared folder beside the clone).`);
const IPS = path.join(SAMPLES, 'ips');
const SYNTHEA = path.join(SAMPLES, 'synthea');

type Json = Record<string, unknown>;
interface Concept {
  readonly text?: string;
  readonly coding?: readonly { readonly code?: string; readonly display?: string }[];
}
/** The parts of the source resources the expectations read. */
interface Res {
  readonly resourceType: string;
  readonly id: string;
  readonly code?: Concept;
  readonly medicationReference?: { readonly reference: string };
  readonly medicationCodeableConcept?: Concept;
  readonly vaccineCode?: Concept;
  readonly recordedDate?: string;
}
interface SourceBundle {
  readonly type: string;
  readonly entry: readonly { readonly fullUrl?: string; readonly resource: Res }[];
}
const read = (file: string): SourceBundle => JSON.parse(readFileSync(file, 'utf8')) as SourceBundle;

const IMPORT = /* GraphQL */ `
  mutation Import($region: String!, $bundle: JSONObject!) {
    importBundle(region: $region, bundle: $bundle) {
      region
      organisationId
      bundleType
      records
      inserted
      updated
      unchanged
      anchored
      skipped {
        resourceType
        count
      }
      patients {
        localId
        globalId
        link
        probableMatch
      }
    }
  }
`;

const ITEM = `id resourceType display form sensitivityLabels code { system code display }
  provenance { region organisationId organisationName lastUpdated }`;
const SUMMARY = /* GraphQL */ `
  query Summary($p: ID!) {
    patientSummary(patientId: $p, purpose: TREAT) {
      regions
      demographics { name birthDate provenance { region organisationName lastUpdated } }
      problems { ${ITEM} }
      allergies { ${ITEM} }
      medications { ${ITEM} }
      immunizations { ${ITEM} }
      results { ${ITEM} }
      reports { ${ITEM} }
    }
  }
`;

interface Item {
  id: string;
  resourceType: string;
  display: string | null;
  form: string | null;
  sensitivityLabels: string[];
  code: { system: string | null; code: string | null; display: string | null } | null;
  provenance: { region: string; organisationId: string; organisationName: string | null; lastUpdated: string };
}
interface Summary {
  regions: string[];
  demographics: { name: string | null; birthDate: string | null; provenance: { region: string } }[];
  problems: Item[];
  allergies: Item[];
  medications: Item[];
  immunizations: Item[];
  results: Item[];
  reports: Item[];
}
interface Report {
  region: string;
  bundleType: string;
  records: number;
  inserted: number;
  unchanged: number;
  anchored: number;
  skipped: { resourceType: string; count: number }[];
  patients: { localId: string; globalId: string; link: string; probableMatch: string | null }[];
}

/** Which hospital's interface engine pushes which sample, into its own region. */
const PUSHER: Record<string, { integration: string; clinician: string; region: string }> = {
  eu: { integration: 'integration-charite', clinician: 'dr-weber', region: 'eu-de' },
  fr: { integration: 'integration-aphp', clinician: 'dr-martin', region: 'eu-fr' },
  us: { integration: 'integration-mgh', clinician: 'dr-johnson', region: 'us-ma' },
};

function pusherOf(file: string): (typeof PUSHER)[string] {
  if (file.includes('/synthea/')) return PUSHER.us!;
  // The second IPS document of Martha DeLarosa comes from another member state's hospital.
  return file.endsWith('bundle-minimal.json') ? PUSHER.fr! : PUSHER.eu!;
}

const firstCoding = (concept: Concept | undefined): { code?: string; display?: string } | undefined =>
  concept?.coding?.[0];
const nameOf = (concept: Concept | undefined): string | undefined => concept?.text ?? firstCoding(concept)?.display;

/** Resolves a reference as the source file states it: fullUrl, or Type/id. */
function target(bundle: SourceBundle, reference: string): Res | undefined {
  return (
    bundle.entry.find((e) => e.fullUrl === reference)?.resource ??
    bundle.entry.find((e) => `${e.resource.resourceType}/${e.resource.id}` === reference)?.resource
  );
}

/** What the source says a clinician should see for one stored resource: its name and code. */
function expectedCode(bundle: SourceBundle, resource: Res): { name?: string; code?: string } {
  if (resource.medicationReference) {
    const medication = target(bundle, resource.medicationReference.reference);
    return { name: nameOf(medication?.code), code: firstCoding(medication?.code)?.code };
  }
  const concept = resource.medicationCodeableConcept ?? resource.vaccineCode ?? resource.code;
  return { name: nameOf(concept), code: firstCoding(concept)?.code };
}

const SECTION: Record<string, keyof Summary> = {
  Condition: 'problems',
  AllergyIntolerance: 'allergies',
  MedicationStatement: 'medications',
  MedicationRequest: 'medications',
  Immunization: 'immunizations',
  Observation: 'results',
  DiagnosticReport: 'reports',
};

describe.skipIf(!HAVE_SAMPLES)('real FHIR samples through importBundle and patientSummary', () => {
  let tg: TestGateway;
  const reports = new Map<string, GraphQLResponse<{ importBundle: Report }>>();
  // Read only where they are: vitest calls a skipped suite's body too.
  const files = HAVE_SAMPLES
    ? [
        ...readdirSync(IPS).map((f) => path.join(IPS, f)),
        ...readdirSync(SYNTHEA).map((f) => path.join(SYNTHEA, f)),
      ].sort()
    : [];

  const summaryOf = async (globalId: string, clinician: string): Promise<Summary> => {
    const res = await tg.graphql<{ patientSummary: Summary }>(SUMMARY, { p: globalId }, await tg.token(clinician));
    expect(res.data?.patientSummary, JSON.stringify(res.errors)).toBeTruthy();
    return res.data!.patientSummary;
  };
  const push = async (
    bundle: unknown,
    as: string,
    region: string,
  ): Promise<GraphQLResponse<{ importBundle: Report }>> =>
    tg.graphql<{ importBundle: Report }>(IMPORT, { region, bundle }, await tg.token(as));

  beforeAll(async () => {
    tg = await startTestGateway({ patients: 3 });
    for (const file of files) {
      const pusher = pusherOf(file);
      reports.set(file, await push(read(file), pusher.integration, pusher.region));
    }
  }, 240_000);

  afterAll(async () => {
    await tg.close();
  });

  it('imports every patient bundle and refuses the two that hold nothing a record store keeps, saying why', () => {
    for (const file of files) {
      const res = reports.get(file)!;
      const name = path.basename(file);
      if (name.startsWith('hospitalInformation') || name.startsWith('practitionerInformation')) {
        expect(res.errors[0]?.extensions.code, name).toBe('BAD_USER_INPUT');
        expect(res.errors[0]?.message, name).toMatch(
          /nothing Meridian stores \(1191 (Organization|Practitioner), 1191/,
        );
        continue;
      }
      expect(res.errors, name).toEqual([]);
      const report = res.data!.importBundle;
      const bundle = read(file);
      const stored = bundle.entry.filter(
        (e) => e.resource.resourceType in SECTION || e.resource.resourceType === 'Patient',
      );
      expect(report.records, name).toBe(stored.length);
      expect(report.inserted, name).toBe(stored.length);
      expect(report.anchored, name).toBe(stored.length);
      expect(report.bundleType).toBe(bundle.type);
      const skipped = Object.fromEntries(report.skipped.map((s) => [s.resourceType, s.count]));
      expect(
        Object.values(skipped).reduce((a, b) => a + b, 0),
        name,
      ).toBe(bundle.entry.length - stored.length);
      if (file.includes('/synthea/')) {
        for (const type of ['Encounter', 'Claim', 'ExplanationOfBenefit', 'DocumentReference'])
          expect(skipped[type], `${name} ${type}`).toBeGreaterThan(0);
        expect(skipped.Provenance).toBe(1);
      }
    }
  });

  it('shows a clinician the problems, allergies and medications of each bundle by name and code, with the source organisation and date', async () => {
    for (const file of files) {
      const report = reports.get(file)!.data?.importBundle;
      if (!report) continue;
      const bundle = read(file);
      const summary = await summaryOf(report.patients[0]!.globalId, pusherOf(file).clinician);
      for (const { resource } of bundle.entry) {
        const section = SECTION[resource.resourceType];
        if (section === undefined) continue;
        const item = (summary[section] as Item[]).find((i) =>
          i.id.endsWith(`/${resource.resourceType}/${resource.id}`),
        );
        expect(item, `${path.basename(file)} ${resource.resourceType}/${resource.id}`).toBeDefined();
        const want = expectedCode(bundle, resource);
        expect(item!.code?.code ?? null).toBe(want.code ?? null);
        expect(item!.display).toBe(want.name ?? null);
        expect(item!.provenance.organisationName).not.toBeNull();
      }
    }
  });

  it('names the medicines of an IPS document from its Medication resources, with the custodian and the dates the document gives', async () => {
    const report = reports.get(path.join(IPS, 'Bundle-IPS-examples-Bundle-01.json'))!.data!.importBundle;
    const summary = await summaryOf(report.patients[0]!.globalId, 'dr-weber');
    const med = (name: string): Item | undefined => summary.medications.find((m) => m.display === name);
    expect(med('Product containing anastrozole (medicinal product)')).toMatchObject({
      code: { system: 'http://snomed.info/sct', code: '108774000' },
      provenance: {
        organisationId: 'urn:oid:2.16.528.1.1007.3.3|564738757',
        organisationName: 'Anorg Aniza Tion BV / The best custodian ever',
        lastUpdated: '2015-03-01T00:00:00.000Z',
      },
    });
    expect(med('Black Cohosh Extract herbal supplement')?.code?.code).toBe('412588001');
    const flushing = summary.problems.find((p) => p.code?.code === '198436008');
    expect(flushing).toMatchObject({
      display: 'Menopausal flushing (finding)',
      provenance: { region: 'eu-de', lastUpdated: '2016-10-01T00:00:00.000Z' },
    });
    const penicillin = summary.allergies.find((a) => a.code?.code === '373270004');
    expect(penicillin?.display).toMatch(/^Substance with penicillin structure/);
    const blood = summary.results.find((r) => r.code?.code === '882-1');
    expect(blood?.provenance).toMatchObject({
      organisationName: 'Laboratoire de charme',
      lastUpdated: '2015-10-10T08:15:00.000Z',
    });
  });

  it('dates and sources Synthea records from the data: the Provenance organisation, the clinical date', async () => {
    const file = files.find((f) => f.includes('Alva958'))!;
    const report = reports.get(file)!.data!.importBundle;
    const summary = await summaryOf(report.patients[0]!.globalId, 'dr-johnson');
    const tb = summary.problems.find((p) => p.display === 'Tuberculosis');
    expect(tb?.provenance).toMatchObject({
      region: 'us-ma',
      organisationId: 'https://github.com/synthetichealth/synthea|37be5852-3585-355e-8219-e3618f24dfd5',
      organisationName: 'PCP42414',
    });
    const source = read(file).entry.find((e) => e.resource.resourceType === 'Condition')!.resource;
    expect(new Date(tb!.provenance.lastUpdated).getTime()).toBe(new Date(source.recordedDate ?? '').getTime());
    expect(summary.immunizations.length).toBeGreaterThan(0);
    expect(summary.demographics[0]).toMatchObject({ name: 'Alva958 Dickinson688', birthDate: '1998-04-29' });
  });

  it('answers each imported patient over /fhir with an IPS document and searchsets that validate, holding every stored resource', async () => {
    const origin = tg.gateway.url.replace(/\/graphql$/, '');
    for (const file of files) {
      const report = reports.get(file)!.data?.importBundle;
      if (!report) continue;
      const name = path.basename(file);
      const { clinician } = pusherOf(file);
      const globalId = report.patients[0]!.globalId;
      const get = async (url: string): Promise<Json> => {
        const res = await fetch(`${origin}/fhir/${url}`, {
          headers: { authorization: `Bearer ${await tg.token(clinician)}`, 'x-purpose-of-use': 'TREAT' },
        });
        expect(res.status, `${name} ${url}`).toBe(200);
        return (await res.json()) as Json;
      };
      const document = await get(`Patient/${globalId}/$summary`);
      expect(await validateFhir(document), name).toEqual([]);
      const entries = (document.entry as { resource: Json }[]).map((e) => e.resource);
      expect(await validateIps(entries[0], 'Composition-uv-ips'), name).toEqual([]);
      expect(await validateIps(entries[1], 'Patient-uv-ips'), name).toEqual([]);
      // Every resource of the source that Meridian stores is in the document, under its served id.
      const served = new Set(entries.map((r) => `${String(r.resourceType)}/${String(r.id)}`));
      for (const { resource } of read(file).entry) {
        if (SECTION[resource.resourceType] === undefined) continue;
        expect(served, `${name} ${resource.resourceType}/${resource.id}`).toContain(
          `${resource.resourceType}/${pusherOf(file).region}.${resource.id}`,
        );
      }
      for (const type of ['Condition', 'Observation', 'MedicationRequest']) {
        const searchset = await get(`${type}?patient=${globalId}&_count=100`);
        expect(await validateFhir(searchset), `${name} ${type}`).toEqual([]);
      }
    }
  }, 240_000);

  it('makes the two IPS documents of one person (same BSN, two member states) one patient', async () => {
    const de = reports.get(path.join(IPS, 'Bundle-IPS-examples-Bundle-01.json'))!.data!.importBundle.patients[0]!;
    const fr = reports.get(path.join(IPS, 'bundle-minimal.json'))!.data!.importBundle.patients[0]!;
    expect(fr.link).toBe('matched');
    expect(fr.globalId).toBe(de.globalId);
    await tg.consentToTreatment(de.globalId);
    const summary = await summaryOf(de.globalId, 'dr-weber');
    expect(summary.regions.sort()).toEqual(['eu-de', 'eu-fr']);
    expect(summary.demographics.map((d) => d.provenance.region).sort()).toEqual(['eu-de', 'eu-fr']);
  });

  it('keeps apart a different person with the same name and birth date, and lists the pair for review', async () => {
    const martha = reports.get(path.join(IPS, 'Bundle-IPS-examples-Bundle-01.json'))!.data!.importBundle.patients[0]!;
    // Another Martha DeLarosa born 1972-05-01, with another BSN: a copy of the sample under new ids.
    const text = readFileSync(path.join(IPS, 'bundle-minimal.json'), 'utf8')
      .replaceAll('574687583', '999911120')
      .replace(/([0-9a-f]{8})-([0-9a-f]{4})-/g, '$1-0000-');
    const res = await push(JSON.parse(text) as unknown, 'integration-charite', 'eu-de');
    expect(res.errors).toEqual([]);
    const other = res.data!.importBundle.patients[0]!;
    expect(other.link).toBe('review');
    expect(other.globalId).not.toBe(martha.globalId);
    expect(other.probableMatch).toBe(martha.globalId);

    const reviews = await tg.graphql<{
      patientMatchReviews: { globalId: string; candidateId: string; region: string }[];
    }>('query { patientMatchReviews { globalId candidateId region } }', {}, await tg.token('officer-schmidt'));
    expect(reviews.data?.patientMatchReviews).toContainEqual({
      globalId: other.globalId,
      candidateId: martha.globalId,
      region: 'eu-de',
    });
    const asClinician = await tg.graphql('query { patientMatchReviews { id } }', {}, await tg.token('dr-weber'));
    expect(asClinician.errors[0]?.extensions.code).toBe('FORBIDDEN');
  });

  it('re-importing a bundle changes nothing', async () => {
    const file = files.find((f) => f.includes('Assunta351'))!;
    const res = await push(read(file), 'integration-mgh', 'us-ma');
    const first = reports.get(file)!.data!.importBundle;
    expect(res.data?.importBundle).toMatchObject({ inserted: 0, unchanged: first.records, anchored: 0 });
    expect(res.data?.importBundle.patients[0]).toMatchObject({
      globalId: first.patients[0]!.globalId,
      link: 'existing',
    });
  });

  it('refuses an integration user pushing into another jurisdiction, and a clinician pushing at all', async () => {
    const bundle = read(path.join(IPS, 'bundle-minimal.json'));
    const abroad = await push(bundle, 'integration-mgh', 'eu-de');
    expect(abroad.errors[0]?.extensions.code).toBe('FORBIDDEN');
    const clinician = await push(bundle, 'dr-weber', 'eu-de');
    expect(clinician.errors[0]?.extensions.code).toBe('FORBIDDEN');
  });
});

describe('a record with two sensitivity labels (PSY and HIV), end to end', () => {
  let tg: TestGateway;
  let globalId: string;
  const SECURITY = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
  const medication = (id: string, atc: string, name: string, labels: string[]): Json => ({
    resourceType: 'MedicationStatement',
    id,
    meta: { security: labels.map((code) => ({ system: SECURITY, code })) },
    status: 'active',
    medicationCodeableConcept: { coding: [{ system: 'http://www.whocc.no/atc', code: atc, display: name }] },
    subject: { reference: 'urn:uuid:6a0b3a52-5c1e-4d1a-9c43-1f0d0b8a7e11' },
    effectiveDateTime: '2025-02-01',
  });

  const medsSeen = async (): Promise<{ id: string; sensitivityLabels: string[] }[]> => {
    const res = await tg.graphql<{ patientSummary: { medications: { id: string; sensitivityLabels: string[] }[] } }>(
      'query($p: ID!) { patientSummary(patientId: $p, purpose: TREAT) { medications { id sensitivityLabels } } }',
      { p: globalId },
      await tg.token('dr-weber'),
    );
    return res.data!.patientSummary.medications.map((m) => ({ ...m, id: m.id.split('/').pop()! }));
  };
  const consent = async (sensitiveAllowed: string[]): Promise<string> => {
    const res = await tg.graphql<{ grantConsent: { id: string } }>(
      'mutation($input: GrantConsentInput!) { grantConsent(input: $input) { id } }',
      {
        input: {
          grantee: { kind: 'ANY_TREATING_PROVIDER' },
          purposes: ['TREAT'],
          sensitiveAllowed,
          destinationsAllowed: ['EU'],
        },
      },
      await tg.patientToken(globalId),
    );
    expect(res.errors).toEqual([]);
    // A consent to treating providers speaks to Charité once it is treating her.
    if (!treating) await tg.openCareRelationship(globalId, 'dr-weber');
    treating = true;
    return res.data!.grantConsent.id;
  };
  let treating = false;

  beforeAll(async () => {
    tg = await startTestGateway({ patients: 2 });
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        {
          fullUrl: 'urn:uuid:6a0b3a52-5c1e-4d1a-9c43-1f0d0b8a7e11',
          resource: { resourceType: 'Patient', gender: 'female', birthDate: '1980-03-04' },
        },
        { resource: medication('ms-both', 'J05AR03', 'tenofovir and emtricitabine', ['PSY', 'HIV']) },
        { resource: medication('ms-psy', 'N06AB06', 'sertraline', ['PSY']) },
        { resource: medication('ms-none', 'C10AA05', 'atorvastatin', []) },
      ],
    };
    const res = await tg.graphql<{ importBundle: Report }>(
      IMPORT,
      { region: 'eu-de', bundle },
      await tg.token('integration-charite'),
    );
    expect(res.errors).toEqual([]);
    globalId = res.data!.importBundle.patients[0]!.globalId;
  }, 120_000);

  afterAll(async () => {
    await tg.close();
  });

  it('withholds the record while either label is withheld, and discloses it with both labels once both are consented', async () => {
    expect(await medsSeen()).toEqual([{ id: 'ms-none', sensitivityLabels: [] }]);

    const psyOnly = await consent(['PSY']);
    expect((await medsSeen()).map((m) => m.id).sort()).toEqual(['ms-none', 'ms-psy']);

    const revoked = await tg.graphql(
      'mutation($id: ID!) { revokeConsent(consentId: $id) { id } }',
      { id: psyOnly },
      await tg.patientToken(globalId),
    );
    expect(revoked.errors).toEqual([]);
    await consent(['HIV']);
    expect((await medsSeen()).map((m) => m.id).sort()).toEqual(['ms-none']);

    await consent(['PSY', 'HIV']);
    const seen = await medsSeen();
    expect(seen.map((m) => m.id).sort()).toEqual(['ms-both', 'ms-none', 'ms-psy']);
    expect(seen.find((m) => m.id === 'ms-both')?.sensitivityLabels).toEqual(['PSY', 'HIV']);
  });
});
