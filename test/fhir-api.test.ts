import { MedplumClient } from '@medplum/core';
import type { Bundle, BundleEntry, OperationOutcome, Resource } from '@medplum/fhirtypes';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateFhir } from '../src/fhir/validation.js';
import { RECEIPT_EXTENSION } from '../src/fhir/out/receipt-extension.js';
import { validateIps } from './support/ips-profiles.js';
import { frenchPatient, startTestGateway, type TestGateway } from './support/gateway.js';

interface FhirAnswer<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

/** Every resource an answer carried, checked with the validator the import uses: none may have errors. */
const emitted: { what: string; resource: unknown }[] = [];

async function expectValid(what: string, resource: unknown): Promise<void> {
  emitted.push({ what, resource });
  expect(await validateFhir(resource), what).toEqual([]);
}

function entriesOf(bundle: Bundle): Resource[] {
  return (bundle.entry ?? []).flatMap((e: BundleEntry) => (e.resource ? [e.resource] : []));
}

function outcomeCodes(resource: OperationOutcome): string[] {
  return resource.issue.map((i) => i.details?.coding?.[0]?.code ?? '');
}

describe('the FHIR R4 API: one access service, a second front door', () => {
  let t: TestGateway;
  let origin: string;
  let patient: { id: string; persona: string; regions: string[] };

  async function fhir<T = Record<string, unknown>>(
    path: string,
    token?: string,
    headers: Record<string, string> = {},
  ): Promise<FhirAnswer<T>> {
    const res = await fetch(`${origin}/fhir/${path}`, {
      headers: { accept: 'application/fhir+json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    });
    expect(res.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    return { status: res.status, body: (await res.json()) as T, headers: res.headers };
  }

  async function clinicianClient(persona: string, purpose: string): Promise<MedplumClient> {
    const client = new MedplumClient({
      baseUrl: `${origin}/`,
      fhirUrlPath: 'fhir',
      cacheTime: 0,
      fetch: (url: string | URL | Request, init?: RequestInit) => fetch(url, init),
      defaultHeaders: { 'X-Purpose-Of-Use': purpose },
    });
    client.setAccessToken(await t.token(persona));
    return client;
  }

  /** Access decisions about the patient requested from Germany, as the German officer reads them (FHIR AuditEvent). */
  async function germanAuditEvents(): Promise<Record<string, unknown>[]> {
    const res = await fhir<Bundle>(`AuditEvent?patient=${patient.id}&_count=100`, await t.token('officer-schmidt'));
    expect(res.status).toBe(200);
    return entriesOf(res.body) as unknown as Record<string, unknown>[];
  }

  beforeAll(async () => {
    t = await startTestGateway({ env: { MERIDIAN_CACHE_TTL_MS: '0' } });
    origin = t.gateway.url.replace(/\/graphql$/, '');
    const fr = frenchPatient(t);
    patient = { id: fr.globalId, persona: fr.persona, regions: fr.regions };
  });
  afterAll(async () => {
    await t.close();
  });

  it('publishes a CapabilityStatement of what it implements, without a token', async () => {
    const res = await fhir('metadata');
    expect(res.status).toBe(200);
    expect(res.body.resourceType).toBe('CapabilityStatement');
    expect(res.body.fhirVersion).toBe('4.0.1');
    const rest = (res.body.rest as { resource: { type: string; interaction: { code: string }[] }[] }[])[0]!;
    const types = rest.resource.map((r) => r.type);
    expect(types).toEqual(expect.arrayContaining(['Patient', 'Condition', 'Observation', 'AuditEvent', 'Consent']));
    // Nothing is claimed that is not served: no writes anywhere.
    const interactions = new Set(rest.resource.flatMap((r) => r.interaction.map((i) => i.code)));
    expect([...interactions].sort()).toEqual(['read', 'search-type']);
    await expectValid('CapabilityStatement', res.body);
  });

  it('refuses a read without a token, or without a purpose of use, as OperationOutcome', async () => {
    const anonymous = await fhir<OperationOutcome>(`Condition?patient=${patient.id}`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="meridian"');
    expect(outcomeCodes(anonymous.body)).toEqual(['UNAUTHENTICATED']);

    const noPurpose = await fhir<OperationOutcome>(`Condition?patient=${patient.id}`, await t.token('dr-weber'));
    expect(noPurpose.status).toBe(400);
    expect(noPurpose.body.issue[0]?.code).toBe('invalid');
    expect(noPurpose.body.issue[0]?.details?.text).toMatch(/purpose of use is required/);
    await expectValid('OperationOutcome', noPurpose.body);

    const unknownParam = await fhir<OperationOutcome>(
      `Condition?patient=${patient.id}&code=http://snomed.info/sct|44054006`,
      await t.token('dr-weber'),
      { 'X-Purpose-Of-Use': 'TREAT' },
    );
    expect(unknownParam.status).toBe(400);
    expect(unknownParam.body.issue[0]?.details?.text).toMatch(/code is not supported/);

    const write = await fetch(`${origin}/fhir/Condition`, { method: 'POST', body: '{}' });
    expect(write.status).toBe(405);
    expect(write.headers.get('allow')).toBe('GET, HEAD');
  });

  it('binds an IHE IUA token to its purpose of use: the token alone is enough, another purpose is refused', async () => {
    const bound = await t.token('dr-weber', { purposeOfUse: 'TREAT' });
    const ok = await fhir<Bundle>(`Condition?patient=${patient.id}`, bound);
    expect(ok.status).toBe(200);
    const other = await fhir<OperationOutcome>(`Condition?patient=${patient.id}`, bound, {
      'X-Purpose-Of-Use': 'HRESCH',
    });
    expect(other.status).toBe(403);
    expect(outcomeCodes(other.body)).toEqual(['FORBIDDEN']);
    // GraphQL is the same access service: the bound token cannot ask it for another purpose either.
    const gql = await t.graphql(
      'query($p: ID!) { records(patientId: $p, purpose: HRESCH) { edges { cursor } } }',
      { p: patient.id },
      bound,
    );
    expect(gql.errors.map((e) => e.extensions.code)).toEqual(['FORBIDDEN']);
  });

  it('$summary before consent: the German part only, and an OperationOutcome saying why eu-fr is absent', async () => {
    const res = await fhir<Bundle>(`Patient/${patient.id}/$summary`, await t.token('dr-weber'), {
      'X-Purpose-Of-Use': 'TREAT',
    });
    expect(res.status).toBe(200);
    const bundle = res.body;
    expect(bundle.type).toBe('document');
    const resources = entriesOf(bundle);
    expect(resources[0]?.resourceType).toBe('Composition');
    expect(resources[1]?.resourceType).toBe('Patient');
    const sources = new Set(resources.flatMap((r) => (r.meta?.source ? [r.meta.source] : [])));
    expect(sources).toEqual(new Set(['urn:meridian:region:eu-de']));
    const outcome = resources.find((r): r is OperationOutcome => r.resourceType === 'OperationOutcome');
    expect(outcome && outcomeCodes(outcome)).toEqual(['CONSENT_REQUIRED']);
    expect(outcome?.issue[0]?.details?.text).toMatch(/eu-fr/);
    await expectDocument(bundle);

    // A search says the same, as an OperationOutcome entry of the searchset (GraphQL: an entry of `errors`).
    const search = await fhir<Bundle>(`Condition?patient=${patient.id}`, await t.token('dr-weber'), {
      'X-Purpose-Of-Use': 'TREAT',
    });
    const outcomes = (search.body.entry ?? []).filter((e) => e.search?.mode === 'outcome');
    expect(outcomes.map((e) => outcomeCodes(e.resource as OperationOutcome))).toEqual([['CONSENT_REQUIRED']]);
    const matches = (search.body.entry ?? []).filter((e) => e.search?.mode === 'match');
    expect(matches.length).toBeGreaterThan(0);
    expect(matches.every((e) => e.resource?.id?.startsWith('eu-de.'))).toBe(true);
    await expectValid('searchset', search.body);
  });

  it('$summary after consent: one IPS document with sections from both regions, the same through GraphQL', async () => {
    await t.consentToTreatment(patient.id);
    const res = await fhir<Bundle>(`Patient/${patient.id}/$summary`, await t.token('dr-weber'), {
      'X-Purpose-Of-Use': 'TREAT',
    });
    expect(res.status).toBe(200);
    const resources = entriesOf(res.body);
    const sources = new Set(resources.flatMap((r) => (r.meta?.source ? [r.meta.source] : [])));
    expect(sources).toEqual(new Set(['urn:meridian:region:eu-de', 'urn:meridian:region:eu-fr']));
    expect(resources.some((r) => r.resourceType === 'OperationOutcome')).toBe(false);
    // The sections' entries are the disclosed records of both regions.
    const composition = resources[0] as unknown as { section: { entry?: { reference: string }[] }[] };
    const referenced = composition.section.flatMap((s) => (s.entry ?? []).map((e) => e.reference));
    expect(referenced.some((r) => r.includes('/eu-de.'))).toBe(true);
    expect(referenced.some((r) => r.includes('/eu-fr.'))).toBe(true);
    await expectDocument(res.body);

    const gql = await t.graphql<{ patientSummary: { ipsBundle: Bundle; receipt: { decisionId: string } } }>(
      'query($p: ID!) { patientSummary(patientId: $p, purpose: TREAT) { ipsBundle receipt { decisionId } } }',
      { p: patient.id },
      await t.token('dr-weber'),
    );
    expect(gql.errors).toEqual([]);
    const viaGraphQL = gql.data!.patientSummary.ipsBundle;
    expect(viaGraphQL.id).toBe(gql.data!.patientSummary.receipt.decisionId);
    const ids = (b: Bundle): string[] => (b.entry ?? []).slice(1).map((e) => e.fullUrl ?? '');
    expect(ids(viaGraphQL)).toEqual(ids(res.body));
    await expectDocument(viaGraphQL);
  });

  async function expectDocument(bundle: Bundle): Promise<void> {
    await expectValid('IPS Bundle', bundle);
    // IPS Bundle-uv-ips: identifier, timestamp, a Composition first and the Patient; the receipt as an extension.
    expect(bundle.identifier?.value).toMatch(/^urn:uuid:/);
    expect(bundle.timestamp).toBeDefined();
    const [composition, patientResource] = entriesOf(bundle);
    expect((composition as unknown as { extension: { url: string }[] }).extension[0]?.url).toBe(RECEIPT_EXTENSION);
    expect(await validateIps(composition, 'Composition-uv-ips')).toEqual([]);
    expect(await validateIps(patientResource, 'Patient-uv-ips')).toEqual([]);
    const codes = (composition as unknown as { section: { code: { coding: { code: string }[] } }[] }).section.map(
      (s) => s.code.coding[0]?.code,
    );
    // The three sections IPS requires, always present (empty with an emptyReason when nothing is disclosed).
    expect(codes).toEqual(expect.arrayContaining(['11450-4', '48765-2', '10160-0']));
    // What Meridian wrote (the Composition, the Provenance) references entries of the document only,
    // and every resource names the document's Patient (clinical content may name practitioners outside it).
    const fullUrls = new Set((bundle.entry ?? []).map((e) => e.fullUrl));
    const base = `${origin}/fhir`;
    const built = entriesOf(bundle).filter((r) => r.resourceType === 'Composition' || r.resourceType === 'Provenance');
    for (const ref of JSON.stringify(built).matchAll(/"reference":"([^"]+)"/g)) {
      expect(fullUrls.has(`${base}/${ref[1]}`), ref[1]).toBe(true);
    }
    const patientRefs = [...JSON.stringify(bundle).matchAll(/"reference":"(Patient\/[^"]+)"/g)].map((m) => m[1]);
    expect(new Set(patientRefs)).toEqual(new Set([`Patient/${patientResource?.id ?? ''}`]));
  }

  it('a FHIR search and a GraphQL records query disclose exactly the same records, and each writes one audit event', async () => {
    const before = await germanAuditEvents();
    const client = await clinicianClient('dr-weber', 'TREAT');
    const viaFhir: string[] = [];
    // MedplumClient follows the searchset's next links page by page.
    for await (const page of client.searchResourcePages('Condition', { patient: patient.id, _count: 3 })) {
      for (const condition of page) viaFhir.push(condition.id);
    }
    const afterFhir = await germanAuditEvents();
    const pages = Math.ceil(viaFhir.length / 3);

    const gql = await t.graphql<{ records: { edges: { node: { id: string } }[] } }>(
      'query($p: ID!) { records(patientId: $p, purpose: TREAT, first: 100, filter: { resourceTypes: [Condition] }) { edges { node { id } } } }',
      { p: patient.id },
      await t.token('dr-weber'),
    );
    expect(gql.errors).toEqual([]);
    const viaGraphQL = gql.data!.records.edges.map((e) => e.node.id.replace(/^([^/]+)\/Condition\//, '$1.'));
    const afterGraphQL = await germanAuditEvents();

    expect(viaFhir.length).toBeGreaterThan(3);
    expect(new Set(viaFhir.map((id) => id.split('.')[0]))).toEqual(new Set(patient.regions));
    expect([...viaFhir].sort()).toEqual([...viaGraphQL].sort());
    // One decision per page of the FHIR search, one for the GraphQL query: no more, no fewer.
    const opsOf = (events: Record<string, unknown>[]): string[] =>
      events.map(
        (e) =>
          ((e.entity as { detail?: { type: string; valueString: string }[] }[])[1]?.detail ?? []).find(
            (d) => d.type === 'operation',
          )?.valueString ?? '',
      );
    expect(afterFhir.length - before.length).toBe(pages);
    expect(opsOf(afterFhir).slice(0, pages)).toEqual(Array(pages).fill('fhir.search'));
    expect(afterGraphQL.length - afterFhir.length).toBe(1);
    expect(opsOf(afterGraphQL)[0]).toBe('records');
    for (const event of afterGraphQL.slice(0, 3)) await expectValid('AuditEvent', event);
  });

  it('reads one resource by its served id, under the same decision; unknown ids are not found', async () => {
    const client = await clinicianClient('dr-weber', 'TREAT');
    const bundle = await client.search('Condition', { patient: patient.id, _count: 1 });
    const first = entriesOf(bundle)[0]!;
    await expectValid('searchset', bundle);
    const read = await client.readResource('Condition', first.id!);
    expect(read).toEqual(first);
    await expectValid('Condition', read);
    expect((read as unknown as { subject: { reference: string } }).subject.reference).toBe(`Patient/${patient.id}`);

    const patientRead = await client.readResource('Patient', patient.id);
    expect(patientRead.id).toBe(patient.id);
    await expectValid('Patient', patientRead);

    const missing = await fhir<OperationOutcome>('Condition/eu-de.no-such-condition', await t.token('dr-weber'), {
      'X-Purpose-Of-Use': 'TREAT',
    });
    expect(missing.status).toBe(404);
    expect(outcomeCodes(missing.body)).toEqual(['NOT_FOUND']);
  });

  it('filters a search by _lastUpdated and category as FHIR defines them', async () => {
    const token = await t.token('dr-weber');
    const headers = { 'X-Purpose-Of-Use': 'TREAT' };
    const all = entriesOf((await fhir<Bundle>(`Observation?patient=${patient.id}&_count=100`, token, headers)).body);
    expect(all.length).toBeGreaterThan(1);
    const times = all.map((r) => r.meta!.lastUpdated!).sort();
    const middle = times[Math.floor(times.length / 2)]!;
    const recent = entriesOf(
      (await fhir<Bundle>(`Observation?patient=${patient.id}&_count=100&_lastUpdated=ge${middle}`, token, headers))
        .body,
    );
    expect(recent.map((r) => r.id).sort()).toEqual(
      all
        .filter((r) => r.meta!.lastUpdated! >= middle)
        .map((r) => r.id)
        .sort(),
    );
    const after = entriesOf(
      (await fhir<Bundle>(`Observation?patient=${patient.id}&_count=100&_lastUpdated=gt${middle}`, token, headers))
        .body,
    );
    expect(after.every((r) => r.meta!.lastUpdated! > middle)).toBe(true);

    const categoryOf = (r: Resource): string[] =>
      ((r as unknown as { category?: { coding?: { code: string }[] }[] }).category ?? []).flatMap((c) =>
        (c.coding ?? []).map((x) => x.code),
      );
    const code = categoryOf(all[0]!)[0]!;
    const byCategory = entriesOf(
      (await fhir<Bundle>(`Observation?patient=${patient.id}&_count=100&category=${code}`, token, headers)).body,
    );
    expect(byCategory.length).toBeGreaterThan(0);
    expect(byCategory.map((r) => r.id).sort()).toEqual(
      all
        .filter((r) => categoryOf(r).includes(code))
        .map((r) => r.id)
        .sort(),
    );
    const refused = await fhir<OperationOutcome>(
      `Observation?patient=${patient.id}&_lastUpdated=lt2020`,
      token,
      headers,
    );
    expect(refused.status).toBe(400);
  });

  it('answers a requester who may see nothing with the same denial GraphQL gives, as OperationOutcome', async () => {
    // A patient of the demo in one EU region only, and a Boston clinician: nothing may cross without consent.
    const other = t.demo.patients.find(
      (p) => p.globalId !== patient.id && p.locations.every((l) => l.region !== 'us-ma'),
    )!;
    const res = await fhir<OperationOutcome>(`Condition?patient=${other.globalId}`, await t.token('dr-johnson'), {
      'X-Purpose-Of-Use': 'TREAT',
    });
    expect(res.status).toBe(403);
    expect(outcomeCodes(res.body)).toEqual(['CONSENT_REQUIRED']);
    expect(res.headers.get('x-meridian-decision-id')).toMatch(/.+/);
    await expectValid('OperationOutcome', res.body);
  });

  it("renders the patient's consents as FHIR Consent, and takes one back through grantConsent(fhir:)", async () => {
    const token = await t.patientToken(patient.id);
    const res = await fhir<Bundle>(`Consent?patient=${patient.id}`, token);
    expect(res.status).toBe(200);
    const consents = entriesOf(res.body);
    expect(consents.length).toBeGreaterThan(0);
    for (const consent of consents) await expectValid('Consent', consent);
    const rendered = consents[0] as unknown as Record<string, unknown>;

    // The same consent sent back as FHIR, narrowed to France and without mental health records.
    const provision = rendered.provision as Record<string, unknown>;
    const fresh = {
      resourceType: 'Consent',
      status: 'active',
      scope: rendered.scope,
      category: rendered.category,
      patient: rendered.patient,
      policyRule: rendered.policyRule,
      provision: {
        type: 'permit',
        actor: [
          {
            ...(provision.actor as object[])[0],
            reference: { identifier: { system: 'urn:meridian:jurisdiction', value: 'FR' } },
          },
        ],
        purpose: provision.purpose,
        provision: [
          {
            type: 'deny',
            securityLabel: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'PSY' }],
          },
        ],
      },
    };
    const GRANT =
      'mutation($fhir: JSONObject!) { grantConsent(fhir: $fhir) { id status grantee { kind jurisdiction } purposes labelsDenied grantTxId } }';
    const granted = await t.graphql<{ grantConsent: Record<string, unknown> }>(GRANT, { fhir: fresh }, token);
    expect(granted.errors).toEqual([]);
    expect(granted.data!.grantConsent).toMatchObject({
      status: 'ACTIVE',
      grantee: { kind: 'JURISDICTION', jurisdiction: 'FR' },
      purposes: ['TREAT'],
      labelsDenied: ['PSY'],
    });
    expect(granted.data!.grantConsent.grantTxId).toMatch(/.+/);

    const listed = entriesOf((await fhir<Bundle>(`Consent?patient=${patient.id}`, token)).body);
    expect(listed).toHaveLength(consents.length + 1);

    // A Consent Meridian cannot honour is refused by name, and nothing is stored.
    const bad = {
      ...fresh,
      provision: {
        ...fresh.provision,
        purpose: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'MARKT' }],
      },
    };
    const refused = await t.graphql(GRANT, { fhir: bad }, token);
    expect(refused.errors.map((e) => e.extensions.code)).toEqual(['BAD_USER_INPUT']);
    expect(refused.errors[0]!.message).toMatch(/provision\.purpose\[0\]/);
    const invalid = await t.graphql(GRANT, { fhir: { ...fresh, status: 'maybe' } }, token);
    expect(invalid.errors.map((e) => e.extensions.code)).toEqual(['BAD_USER_INPUT']);
    expect(entriesOf((await fhir<Bundle>(`Consent?patient=${patient.id}`, token)).body)).toHaveLength(listed.length);

    // Another patient's consents are not this patient's to read.
    const other = t.demo.patients.find((p) => p.globalId !== patient.id)!;
    const forbidden = await fhir<OperationOutcome>(`Consent?patient=${other.globalId}`, token);
    expect(forbidden.status).toBe(403);
  });

  it('gives the patient their own access log as BALP AuditEvents, naming organisations, not staff', async () => {
    const token = await t.patientToken(patient.id);
    const res = await fhir<Bundle>(`AuditEvent?patient=${patient.id}&_count=50`, token);
    expect(res.status).toBe(200);
    const events = entriesOf(res.body) as unknown as Record<string, unknown>[];
    expect(events.length).toBeGreaterThan(0);
    const text = JSON.stringify(events);
    expect(text).toContain('charite-berlin');
    expect(text).not.toContain('dr-weber');
    for (const event of events.slice(0, 5)) await expectValid('AuditEvent', event);
    const other = t.demo.patients.find((p) => p.globalId !== patient.id)!;
    expect((await fhir(`AuditEvent?patient=${other.globalId}`, token)).status).toBe(403);
    // A clinician reads no access log.
    expect((await fhir('AuditEvent', await t.token('dr-weber'))).status).toBe(403);
  });

  it('gives the patient a copy of all their data ($everything, streamed; exportMyData the same), and no one else', async () => {
    const token = await t.patientToken(patient.id);
    const res = await fhir<Bundle>(`Patient/${patient.id}/$everything`, token);
    expect(res.status).toBe(200);
    const resources = entriesOf(res.body);
    // Every record every region holds for the patient, read from the databases themselves.
    const held: string[] = [];
    for (const location of t.demo.patients.find((p) => p.globalId === patient.id)!.locations) {
      const db = new pg.Client({ connectionString: t.databases.get(location.region)!.url });
      await db.connect();
      const rows = await db.query<{ resource_type: string; resource_id: string }>(
        "SELECT resource_type, resource_id FROM records WHERE patient_id = $1 AND resource_type <> 'Patient'",
        [location.localId],
      );
      await db.end();
      held.push(...rows.rows.map((r) => `${r.resource_type}/${location.region}.${r.resource_id}`));
    }
    const clinical = resources.filter((r) => !['Patient', 'Consent', 'AuditEvent'].includes(r.resourceType));
    expect(held.length).toBeGreaterThan(10);
    expect(clinical.map((r) => `${r.resourceType}/${r.id ?? ''}`).sort()).toEqual(held.sort());
    expect(resources.filter((r) => r.resourceType === 'Patient').map((r) => r.id)).toEqual([patient.id]);
    expect(resources.some((r) => r.resourceType === 'Consent')).toBe(true);
    expect(resources.some((r) => r.resourceType === 'AuditEvent')).toBe(true);
    await expectValid('$everything', res.body);

    const viaGraphQL = await t.graphql<{ exportMyData: Bundle }>('query { exportMyData }', {}, token);
    expect(viaGraphQL.errors).toEqual([]);
    const ids = (b: Bundle): string[] =>
      entriesOf(b)
        .filter((r) => r.resourceType !== 'AuditEvent')
        .map((r) => `${r.resourceType}/${r.id ?? ''}`);
    expect(ids(viaGraphQL.data!.exportMyData)).toEqual(ids(res.body));

    // The export was audited: the patient's own log now names it.
    const log = entriesOf((await fhir<Bundle>(`AuditEvent?patient=${patient.id}&_count=5`, token)).body);
    expect(JSON.stringify(log[0])).toContain('fhir.export');

    const other = t.demo.patients.find((p) => p.globalId !== patient.id)!;
    expect((await fhir(`Patient/${other.globalId}/$everything`, token)).status).toBe(403);
    const clinician = await fhir<OperationOutcome>(`Patient/${patient.id}/$everything`, await t.token('dr-weber'));
    expect(clinician.status).toBe(403);
    expect(outcomeCodes(clinician.body)).toEqual(['FORBIDDEN']);
  });

  it('emitted only resources that validate as FHIR R4', async () => {
    expect(emitted.length).toBeGreaterThan(10);
    for (const { what, resource } of emitted) expect(await validateFhir(resource), what).toEqual([]);
  });
});
