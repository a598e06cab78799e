import { bearerChallenge } from '../../auth/bearer-challenge.js';
import type { AccessLogPage, AuditService } from '../../access/audit/audit-service.js';
import type { ConsentService } from '../../access/consent/consent-service.js';
import type { PartialFailure } from '../../access/records/partial-failure.js';
import type { BreakGlassOption, RecordFilter, RecordService } from '../../access/records/record-service.js';
import type { DisclosureReceipt } from '../../domain/audit-event.js';
import { badInput, MeridianError } from '../../domain/errors.js';
import {
  FHIR_CATEGORY_SHAPE,
  isIpsResourceType,
  type FhirResource,
  type FhirToken,
  type IpsResourceType,
} from '../../domain/fhir.js';
import { hasRole, type Principal } from '../../domain/principal.js';
import { isPurposeOfUse, type PurposeOfUse } from '../../domain/purpose.js';
import { checkPatientId, checkStudy } from '../../domain/request-ids.js';
import { fhirInstant } from '../fhir-time.js';
import { auditEventResource } from '../out/audit-event-resource.js';
import { capabilityStatement } from '../out/capability-statement.js';
import { consentResource } from '../out/consent-resource.js';
import { ipsDocument, mergedPatient } from '../out/ips-document.js';
import { patientExport } from '../out/patient-export.js';
import { httpStatusOf, operationOutcome, outcomeIssue } from '../out/operation-outcome.js';
import { DECISION_SYSTEM } from '../out/receipt-extension.js';
import { parseServedId, searchEntry, servedResource } from '../out/resource-view.js';

/** What the FHIR front door calls: the same services as GraphQL's, nothing else. */
export interface FhirServices {
  readonly records: RecordService;
  readonly audit: AuditService;
  readonly consents: ConsentService;
  readonly organisationName: (id: string) => string | null;
}

export interface FhirRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Null without a bearer token: only `metadata` answers then. */
  readonly principal: Principal | null;
  /** The FHIR base URL clients reach (`…/fhir`), for fullUrls and links. */
  readonly base: string;
}

export interface FhirResponse {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Instead of `body`: the answer's JSON text in pieces, written as they come (a patient's export). */
  readonly stream?: AsyncIterable<string>;
}

export const FHIR_CONTENT_TYPE = 'application/fhir+json; charset=utf-8';

const DEFAULT_COUNT = 20;

/** The parameters each search understands (besides `_format`); any other is refused, not ignored. */
const RECORD_SEARCH = new Set(['patient', '_lastUpdated', 'category', '_count', '_cursor']);
const AUDIT_SEARCH = new Set(['patient', 'date', '_count', '_cursor']);
const CONSENT_SEARCH = new Set(['patient']);

/**
 * Meridian's read-only FHIR R4 API: a second front door to the same access services as
 * GraphQL, so every read is decided, audited and receipted exactly as there. Errors are
 * OperationOutcome with Meridian's code in `issue.details`; regions withheld or missing are
 * OperationOutcome entries of a searchset (search mode `outcome`); hidden labels are nothing.
 */
export function fhirApi(services: FhirServices, version: string): (request: FhirRequest) => Promise<FhirResponse> {
  return async (request) => {
    try {
      return await route(services, version, request);
    } catch (err) {
      if (err instanceof MeridianError) return errorResponse(err.code, err.message, err.details);
      throw err;
    }
  };
}

/** An OperationOutcome response for an error code (Meridian's, or the HTTP layer's). */
export function errorResponse(
  code: string,
  message: string,
  details: Readonly<Record<string, unknown>> = {},
  headers: Readonly<Record<string, string>> = {},
): FhirResponse {
  const decisionId = typeof details.decisionId === 'string' ? details.decisionId : undefined;
  const issue = outcomeIssue(code, message, decisionId ? { diagnostics: `decision ${decisionId}` } : {});
  return {
    status: httpStatusOf(code),
    body: operationOutcome([issue]),
    headers: {
      ...(code === 'UNAUTHENTICATED' ? { 'www-authenticate': bearerChallenge() } : {}),
      ...headers,
      ...(decisionId ? { 'x-meridian-decision-id': decisionId } : {}),
    },
  };
}

async function route(s: FhirServices, version: string, request: FhirRequest): Promise<FhirResponse> {
  const method = request.method.toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') {
    const refused = errorResponse('BAD_USER_INPUT', 'This FHIR API is read-only: use GET.');
    return { ...refused, status: 405, headers: { ...refused.headers, allow: 'GET, HEAD' } };
  }
  const format = request.url.searchParams.get('_format');
  if (format !== null && !['json', 'application/json', 'application/fhir+json'].includes(format)) {
    throw badInput(`_format: only JSON is served (got ${format}).`);
  }
  const parts = request.url.pathname
    .replace(/^\/fhir\/?/, '')
    .split('/')
    .filter(Boolean)
    .map(decodeURIComponent);
  if (parts.length === 1 && parts[0] === 'metadata') {
    return ok(capabilityStatement(request.base, version, new Date()));
  }
  const principal = request.principal;
  if (principal === null) {
    throw new MeridianError(
      'UNAUTHENTICATED',
      'Authentication required: send a bearer token in the Authorization header.',
    );
  }
  return routeResource(s, principal, request, parts);
}

async function routeResource(
  s: FhirServices,
  principal: Principal,
  request: FhirRequest,
  parts: readonly string[],
): Promise<FhirResponse> {
  const [type, id, operation, ...rest] = parts;
  if (type === undefined || rest.length > 0) throw notFound(request.url.pathname);
  if (type === 'AuditEvent' && id === undefined) return auditSearch(s, principal, request);
  if (type === 'Consent' && id === undefined) return consentSearch(s, principal, request);
  if (!isIpsResourceType(type)) throw notFound(request.url.pathname);
  if (type === 'Patient' && id !== undefined) return routePatient(s, principal, request, id, operation);
  if (operation !== undefined) throw notFound(request.url.pathname);
  if (id !== undefined) return read(s, principal, request, type, id);
  if (type === 'Patient') throw badInput('Patient search is not supported: read Patient/<id>, or use $summary.');
  return search(s, principal, request, type);
}

function routePatient(
  s: FhirServices,
  principal: Principal,
  request: FhirRequest,
  id: string,
  operation: string | undefined,
): Promise<FhirResponse> {
  checkPatientId(id, 'patient');
  if (operation === '$summary') return summary(s, principal, request, id);
  if (operation === '$everything') return everything(s, principal, request, id);
  if (operation === undefined) return patientRead(s, principal, request, id);
  throw notFound(request.url.pathname);
}

async function summary(s: FhirServices, principal: Principal, request: FhirRequest, id: string): Promise<FhirResponse> {
  const { purpose, options } = purposeOf(principal, request);
  noParameters(request, new Set());
  const result = await s.records.summary(principal, id, purpose, { ...options, operation: 'fhir.summary' });
  const bundle = ipsDocument({
    patientId: result.patientId,
    records: result.records,
    failures: result.failures,
    receipt: result.receipt,
    base: request.base,
    organisationName: s.organisationName,
  });
  return ok(bundle, receiptHeaders(result.receipt));
}

/**
 * `Patient/{id}/$everything` for the patient themself: their whole record as a searchset,
 * streamed. The first resource is read before anything is sent, so a refusal is still an
 * OperationOutcome; a failure after that cuts the answer short (the JSON does not close).
 */
async function everything(
  s: FhirServices,
  principal: Principal,
  request: FhirRequest,
  id: string,
): Promise<FhirResponse> {
  noParameters(request, new Set());
  const resources = patientExport(s, principal, id);
  const first = await resources.next();
  const entry = (resource: FhirResource): string => JSON.stringify(searchEntry(request.base, resource));
  async function* text(): AsyncGenerator<string> {
    yield `{"resourceType":"Bundle","type":"searchset","entry":[`;
    if (first.done !== true) {
      yield entry(first.value);
      for await (const resource of resources) yield `,${entry(resource)}`;
    }
    yield ']}';
  }
  return { status: 200, body: null, stream: text() };
}

async function patientRead(
  s: FhirServices,
  principal: Principal,
  request: FhirRequest,
  id: string,
): Promise<FhirResponse> {
  const { purpose, options } = purposeOf(principal, request);
  noParameters(request, new Set());
  const page = await s.records.records(principal, {
    patientId: id,
    purpose,
    first: DEFAULT_COUNT,
    filter: { categories: ['patient'] },
    ...options,
    operation: 'fhir.read',
  });
  const records = page.edges.map((e) => e.record);
  if (records.length === 0) return withheldOrNotFound(page.failures, `Patient/${id}`, page.receipt);
  return ok(mergedPatient(page.patientId, records), receiptHeaders(page.receipt));
}

async function read(
  s: FhirServices,
  principal: Principal,
  request: FhirRequest,
  type: IpsResourceType,
  id: string,
): Promise<FhirResponse> {
  const { purpose, options } = purposeOf(principal, request);
  noParameters(request, new Set());
  const served = parseServedId(id);
  if (served === null) throw notFound(`${type}/${id}`);
  const result = await s.records.read(principal, {
    ...served,
    resourceType: type,
    purpose,
    ...options,
    operation: 'fhir.read',
  });
  const failures = result.failures.filter((f) => f.region === served.region);
  if (result.record === null) return withheldOrNotFound(failures, `${type}/${id}`, result.receipt);
  return ok(servedResource(result.record, result.patientId), receiptHeaders(result.receipt));
}

async function search(
  s: FhirServices,
  principal: Principal,
  request: FhirRequest,
  type: IpsResourceType,
): Promise<FhirResponse> {
  const params = request.url.searchParams;
  noParameters(request, RECORD_SEARCH);
  const { purpose, options } = purposeOf(principal, request);
  const patientId = patientParam(params);
  const filter: RecordFilter = {
    resourceTypes: [type],
    ...sinceOf(params.getAll('_lastUpdated'), '_lastUpdated'),
    ...categoriesOf(type, params.getAll('category')),
  };
  const cursor = params.get('_cursor');
  const page = await s.records.records(principal, {
    patientId,
    purpose,
    first: countOf(params),
    filter,
    ...(cursor !== null ? { after: cursor } : {}),
    ...options,
    operation: 'fhir.search',
  });
  const answered = page.edges.map((e) => servedResource(e.record, page.patientId));
  const next = page.hasNextPage ? page.endCursor : null;
  return ok(searchset(request, answered, page.failures, next, page.receipt), receiptHeaders(page.receipt));
}

async function auditSearch(s: FhirServices, principal: Principal, request: FhirRequest): Promise<FhirResponse> {
  noParameters(request, AUDIT_SEARCH);
  const params = request.url.searchParams;
  const patient = params.has('patient') ? patientParam(params) : undefined;
  const since = sinceOf(params.getAll('date'), 'date', ['ge']).since;
  const cursor = params.get('_cursor');
  const paging = { first: countOf(params), ...(cursor !== null ? { after: cursor } : {}), ...(since ? { since } : {}) };
  let page: AccessLogPage;
  const patientView = hasRole(principal, 'patient') && !hasRole(principal, 'compliance_officer', 'auditor');
  if (patientView) {
    if (patient !== undefined && patient !== principal.patientId) {
      throw new MeridianError('FORBIDDEN', 'A patient reads only their own access log.');
    }
    page = await s.audit.myAccessLog(principal, paging);
  } else {
    page = await s.audit.accessLog(principal, { ...paging, ...(patient !== undefined ? { patientId: patient } : {}) });
  }
  const events = page.edges.map((e) =>
    auditEventResource(e.event, { patientView, organisationName: s.organisationName }),
  );
  return ok(searchset(request, events, [], page.hasNextPage ? page.endCursor : null));
}

async function consentSearch(s: FhirServices, principal: Principal, request: FhirRequest): Promise<FhirResponse> {
  noParameters(request, CONSENT_SEARCH);
  const patient = request.url.searchParams.has('patient') ? patientParam(request.url.searchParams) : undefined;
  const consents = await s.consents.list(principal, patient);
  const resources = consents.map((c) => consentResource(c.consent, c, s.organisationName));
  return ok(searchset(request, resources, [], null));
}

/**
 * A searchset: the matches, then, when regions were withheld or missing, an OperationOutcome
 * (search mode `outcome`) with a warning for each. A disclosure's decision id is the Bundle's
 * identifier (an R4 Bundle takes no extensions; the receipt is also in the response headers).
 */
function searchset(
  request: FhirRequest,
  resources: readonly FhirResource[],
  failures: readonly PartialFailure[],
  nextCursor: string | null,
  receipt?: DisclosureReceipt,
): Record<string, unknown> {
  const self = new URL(request.url.pathname.replace(/^\/fhir/, '') + request.url.search, 'http://x');
  const link = (params: URLSearchParams): string =>
    `${request.base}${self.pathname}${params.size > 0 ? `?${params.toString()}` : ''}`;
  const next = new URLSearchParams(self.searchParams);
  if (nextCursor !== null) next.set('_cursor', nextCursor);
  const entries = resources.map((resource) => searchEntry(request.base, resource));
  if (failures.length > 0) {
    entries.push({
      resource: operationOutcome(failures.map((f) => outcomeIssue(f.code, f.message, { severity: 'warning' }))),
      search: { mode: 'outcome' },
    });
  }
  return {
    resourceType: 'Bundle',
    ...(receipt ? { identifier: { system: DECISION_SYSTEM, value: receipt.decisionId } } : {}),
    type: 'searchset',
    link: [
      { relation: 'self', url: link(self.searchParams) },
      ...(nextCursor !== null ? [{ relation: 'next', url: link(next) }] : []),
    ],
    entry: entries,
  };
}

/** Nothing to answer: the region's withholding as the error when there is one, else not found. */
function withheldOrNotFound(
  failures: readonly PartialFailure[],
  what: string,
  receipt: DisclosureReceipt,
): FhirResponse {
  const failure = failures[0];
  if (failure !== undefined) {
    return errorResponse(failure.code, failure.message, { decisionId: receipt.decisionId }, receiptHeaders(receipt));
  }
  return errorResponse('NOT_FOUND', `${what} is not known.`, {}, receiptHeaders(receipt));
}

/**
 * The purpose of use of a read: the token's IHE IUA claim when it has one, else the
 * `X-Purpose-Of-Use` header (an IUA token bound to another purpose is refused by the service).
 */
function purposeOf(principal: Principal, request: FhirRequest): { purpose: PurposeOfUse; options: BreakGlassOption } {
  const header = single(request.headers['x-purpose-of-use'])?.trim();
  const raw = header ?? principal.purposeOfUse;
  if (raw === undefined) {
    throw badInput(
      'A purpose of use is required: a token carrying the IHE IUA purpose_of_use claim, or the X-Purpose-Of-Use header (TREAT, ETREAT, HPAYMT, HOPERAT, HRESCH, PUBHLTH, PATRQT).',
      { field: 'X-Purpose-Of-Use' },
    );
  }
  if (!isPurposeOfUse(raw)) {
    throw badInput(`X-Purpose-Of-Use: ${raw} is not an HL7 v3 PurposeOfUse code Meridian accepts.`, {
      field: 'X-Purpose-Of-Use',
    });
  }
  const justification = single(request.headers['x-break-glass-justification'])?.trim();
  const study = single(request.headers['x-study'])?.trim();
  if (study !== undefined) checkStudy(study, 'X-Study');
  return {
    purpose: raw,
    options: { ...(justification ? { justification } : {}), ...(study ? { study } : {}) },
  };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function patientParam(params: URLSearchParams): string {
  const values = params.getAll('patient');
  const value = values[0]?.replace(/^Patient\//, '');
  if (values.length !== 1 || value === undefined || value === '') {
    throw badInput('patient: exactly one patient is required (`patient=<id>` or `patient=Patient/<id>`).', {
      field: 'patient',
    });
  }
  checkPatientId(value, 'patient');
  return value;
}

function countOf(params: URLSearchParams): number {
  const raw = params.get('_count');
  if (raw === null) return DEFAULT_COUNT;
  const count = Number(raw);
  if (!/^\d+$/.test(raw) || count < 1) throw badInput('_count must be a positive integer.', { field: '_count' });
  return count;
}

/**
 * `_lastUpdated` (or `date`) as the instant records must be updated at or after: `ge` from the
 * start of the value's precision, `gt` from the end of it. Other prefixes are refused.
 */
function sinceOf(values: readonly string[], name: string, prefixes = ['ge', 'gt']): { since?: Date } {
  let since: Date | undefined;
  for (const value of values) {
    const m = /^(ge|gt|eq|lt|le|ne|sa|eb|ap)?(.+)$/.exec(value);
    const prefix = m?.[1] ?? 'eq';
    const start = m?.[2] === undefined ? null : fhirInstant(m[2]);
    if (!prefixes.includes(prefix) || start === null) {
      throw badInput(`${name}: use ${prefixes.map((p) => `${p}<date>`).join(' or ')} (got ${value}).`, { field: name });
    }
    const at = prefix === 'gt' ? endOf(m?.[2] ?? '', start) : start;
    if (since === undefined || at > since) since = at;
  }
  return since ? { since } : {};
}

/** The first instant after a FHIR date's precision: 2020 → 2021-01-01, 2020-03-05 → 2020-03-06, an instant → +1 ms. */
function endOf(text: string, start: Date): Date {
  const end = new Date(start);
  if (/^\d{4}$/.test(text)) end.setUTCFullYear(end.getUTCFullYear() + 1);
  else if (/^\d{4}-\d{2}$/.test(text)) end.setUTCMonth(end.getUTCMonth() + 1);
  else if (/^\d{4}-\d{2}-\d{2}$/.test(text)) end.setUTCDate(end.getUTCDate() + 1);
  else end.setUTCMilliseconds(end.getUTCMilliseconds() + 1);
  return end;
}

function categoriesOf(type: string, values: readonly string[]): { fhirCategories?: FhirToken[] } {
  if (values.length === 0) return {};
  if (!isIpsResourceType(type) || FHIR_CATEGORY_SHAPE[type] === undefined) {
    throw badInput(`category: ${type} has no category to search by.`, { field: 'category' });
  }
  if (values.length > 1) throw badInput('category: give one parameter, comma-separated for any of several.');
  const tokens = (values[0] ?? '').split(',').map((token): FhirToken => {
    const bar = token.indexOf('|');
    const system = bar >= 0 ? token.slice(0, bar) : '';
    const code = bar >= 0 ? token.slice(bar + 1) : token;
    if (code === '') throw badInput(`category: "${token}" names no code.`, { field: 'category' });
    return system !== '' ? { system, code } : { code };
  });
  return { fhirCategories: tokens };
}

/** Refuses a parameter this interaction does not understand, so nothing asked for is silently dropped. */
function noParameters(request: FhirRequest, allowed: ReadonlySet<string>): void {
  for (const name of request.url.searchParams.keys()) {
    if (name !== '_format' && !allowed.has(name)) {
      throw badInput(`Search parameter ${name} is not supported here (see /fhir/metadata).`, { field: name });
    }
  }
}

function receiptHeaders(receipt: DisclosureReceipt): Record<string, string> {
  return { 'x-meridian-decision-id': receipt.decisionId, 'x-meridian-audit-hash': receipt.auditHash };
}

function notFound(path: string): MeridianError {
  return new MeridianError('NOT_FOUND', `${path} is not served here (see /fhir/metadata).`);
}

function ok(body: unknown, headers: Readonly<Record<string, string>> = {}): FhirResponse {
  return { status: 200, body, headers };
}
