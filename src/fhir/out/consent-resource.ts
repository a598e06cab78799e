import type { Consent, ConsentGrantee } from '../../domain/consent/index.js';
import { badInput } from '../../domain/errors.js';
import {
  CATEGORY_OF,
  IPS_RESOURCE_TYPES,
  SENSITIVITY_SYSTEM,
  CONFIDENTIALITY_SYSTEM,
  labelOfCoding,
  type Category,
  type FhirResource,
  type IpsResourceType,
  type SensitivityLabel,
} from '../../domain/fhir.js';
import { isPurposeOfUse, type PurposeOfUse } from '../../domain/purpose.js';
import { isJson, type Json } from '../bundle-index.js';
import { validateFhir } from '../validation.js';

/**
 * Meridian consents as FHIR R4 Consent resources, and back.
 *
 * - scope `patient-privacy`, category LOINC 59284-0, policyRule OPTIN (a permit) or OPTOUT (an objection);
 * - provision: type, period, the grantee as actor (role IRCP, identified by system), purposes
 *   (v3-ActReason), the categories allowed as `class` (their resource types), the labels allowed
 *   as `securityLabel`; categories and labels kept back as nested `deny` provisions;
 * - destinations outside the data's policy family, which R4 has no element for, as an extension;
 * - the ledger anchors (content hash, grant and revoke transactions) as an extension.
 */

export const DESTINATIONS_EXTENSION = 'urn:meridian:fhir:extension:consent-destinations';
export const ANCHOR_EXTENSION = 'urn:meridian:fhir:extension:ledger-anchor';
const ORGANISATION_SYSTEM = 'urn:meridian:organisation';
const JURISDICTION_SYSTEM = 'urn:meridian:jurisdiction';
const GRANTEE_SYSTEM = 'urn:meridian:grantee';
const ANY_TREATING_PROVIDER = 'any-treating-provider';
const PURPOSE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
const RESOURCE_TYPES = 'http://hl7.org/fhir/resource-types';
const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

export interface ConsentAnchors {
  readonly contentHash: string;
  readonly grantTxId: string;
  readonly revokeTxId: string | null;
}

function typesOf(categories: readonly Category[]): IpsResourceType[] {
  return IPS_RESOURCE_TYPES.filter((t) => categories.includes(CATEGORY_OF[t]));
}

function labelCoding(label: SensitivityLabel): Json {
  return { system: label === 'R' || label === 'V' ? CONFIDENTIALITY_SYSTEM : SENSITIVITY_SYSTEM, code: label };
}

function actorOf(grantee: ConsentGrantee, organisationName: (id: string) => string | null): Json {
  const reference =
    grantee.kind === 'organisation'
      ? {
          identifier: { system: ORGANISATION_SYSTEM, value: grantee.organisationId },
          display: organisationName(grantee.organisationId) ?? grantee.organisationId,
        }
      : grantee.kind === 'jurisdiction'
        ? {
            identifier: { system: JURISDICTION_SYSTEM, value: grantee.jurisdiction },
            display: `any requester in ${grantee.jurisdiction}`,
          }
        : { identifier: { system: GRANTEE_SYSTEM, value: ANY_TREATING_PROVIDER }, display: 'any treating provider' };
  return {
    role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }] },
    reference,
  };
}

export function consentResource(
  consent: Consent,
  anchors: ConsentAnchors,
  organisationName: (id: string) => string | null,
): FhirResource {
  const denied: Json[] = [
    ...(consent.categoriesDenied?.length
      ? [
          {
            type: 'deny',
            class: typesOf(consent.categoriesDenied).map((code) => ({ system: RESOURCE_TYPES, code })),
          },
        ]
      : []),
    ...(consent.labelsDenied?.length ? [{ type: 'deny', securityLabel: consent.labelsDenied.map(labelCoding) }] : []),
  ];
  return {
    resourceType: 'Consent',
    id: consent.id,
    meta: { versionId: consent.version },
    extension: [
      ...(consent.destinationsAllowed?.length
        ? [
            {
              url: DESTINATIONS_EXTENSION,
              extension: consent.destinationsAllowed.map((d) => ({ url: 'destination', valueCode: d })),
            },
          ]
        : []),
      {
        url: ANCHOR_EXTENSION,
        extension: [
          { url: 'contentHash', valueString: anchors.contentHash },
          { url: 'grantTxId', valueString: anchors.grantTxId },
          ...(anchors.revokeTxId ? [{ url: 'revokeTxId', valueString: anchors.revokeTxId }] : []),
        ],
      },
    ],
    identifier: [{ system: 'urn:meridian:consent', value: consent.id }],
    status: consent.status === 'active' ? 'active' : 'inactive',
    scope: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }],
    },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] }],
    patient: { reference: `Patient/${consent.patientId}` },
    dateTime: consent.grantedAt.toISOString(),
    policyRule: { coding: [{ system: ACT_CODE, code: consent.kind === 'permit' ? 'OPTIN' : 'OPTOUT' }] },
    provision: {
      type: consent.kind,
      period: {
        start: consent.validFrom.toISOString(),
        ...(consent.validUntil ? { end: consent.validUntil.toISOString() } : {}),
      },
      actor: [actorOf(consent.grantee, organisationName)],
      purpose: consent.purposes.map((code) => ({ system: PURPOSE_SYSTEM, code })),
      ...(consent.categoriesAllowed
        ? { class: typesOf(consent.categoriesAllowed).map((code) => ({ system: RESOURCE_TYPES, code })) }
        : {}),
      ...(consent.sensitiveAllowed?.length ? { securityLabel: consent.sensitiveAllowed.map(labelCoding) } : {}),
      ...(denied.length > 0 ? { provision: denied } : {}),
    },
  };
}

/** What a FHIR Consent grants, in the terms of `grantConsent`'s input. */
export interface FhirGrant {
  readonly patientId?: string;
  readonly kind: Consent['kind'];
  readonly grantee: { kind: ConsentGrantee['kind']; organisationId?: string; jurisdiction?: string };
  readonly purposes: PurposeOfUse[];
  readonly categoriesAllowed?: Category[];
  readonly categoriesDenied?: Category[];
  readonly sensitiveAllowed?: SensitivityLabel[];
  readonly labelsDenied?: SensitivityLabel[];
  readonly destinationsAllowed?: string[];
  readonly validFrom?: Date;
  readonly validUntil?: Date;
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? (value as unknown[]) : []);
const codings = (value: unknown): Json[] => list(value).filter(isJson);

/**
 * Reads a FHIR R4 Consent a patient (or their app) sends: validated as R4 first, then mapped.
 * Everything the mapping cannot honour is refused by name, so nothing is silently dropped.
 * @throws MeridianError BAD_USER_INPUT listing each problem, with its FHIRPath.
 */
export async function grantOfFhirConsent(input: unknown): Promise<FhirGrant> {
  if (!isJson(input) || input.resourceType !== 'Consent') {
    throw badInput('fhir: must be a FHIR R4 Consent resource (resourceType "Consent").', { field: 'fhir' });
  }
  const invalid = (await validateFhir(input)).map((i) => `${i.expression || 'Consent'}: ${i.message}`);
  if (invalid.length > 0) throw refusal(invalid);
  const problems: string[] = [];
  if (input.status !== 'active') problems.push('Consent.status: a new consent must be "active"');
  const provision = isJson(input.provision) ? input.provision : null;
  if (provision === null) throw refusal([...problems, 'Consent.provision: required (type, actor, purpose)']);
  const type = provision.type;
  if (type !== 'permit' && type !== 'deny') problems.push('Consent.provision.type: must be "permit" or "deny"');
  const patientId = patientOf(input, problems);
  const grantee = granteeOf(provision, problems);
  const purposes = purposesOf(provision, problems);
  const keptBack = keptBackOf(provision, problems);
  const unsupported = ['data', 'dataPeriod', 'code', 'action'].filter((k) => provision[k] !== undefined);
  if (unsupported.length > 0) {
    problems.push(`Consent.provision: Meridian cannot honour ${unsupported.join(', ')}; leave them out`);
  }
  const allowed =
    provision.class === undefined ? undefined : classesOf(provision.class, 'Consent.provision.class', problems);
  const sensitive = labelsOf(provision.securityLabel, 'Consent.provision.securityLabel', problems);
  if (problems.length > 0) throw refusal(problems);
  const period = isJson(provision.period) ? provision.period : {};
  // Absent and empty both mean "none" to grantConsent: leave out what says nothing.
  const grant = {
    patientId,
    kind: type as Consent['kind'],
    grantee,
    purposes,
    categoriesAllowed: allowed,
    categoriesDenied: keptBack.categories,
    sensitiveAllowed: uniq(sensitive),
    labelsDenied: keptBack.labels,
    destinationsAllowed: destinationsOf(input),
    validFrom: typeof period.start === 'string' ? new Date(period.start) : undefined,
    validUntil: typeof period.end === 'string' ? new Date(period.end) : undefined,
  };
  return Object.fromEntries(
    Object.entries(grant).filter(
      ([k, v]) => v !== undefined && (k === 'purposes' || !Array.isArray(v) || v.length > 0),
    ),
  ) as unknown as FhirGrant;
}

function patientOf(input: Json, problems: string[]): string | undefined {
  const reference = isJson(input.patient) ? input.patient.reference : undefined;
  const patientId = typeof reference === 'string' ? /^Patient\/(.+)$/.exec(reference)?.[1] : undefined;
  if (reference !== undefined && patientId === undefined) {
    problems.push('Consent.patient.reference: must be "Patient/<your patient id>"');
  }
  return patientId;
}

function purposesOf(provision: Json, problems: string[]): PurposeOfUse[] {
  return codings(provision.purpose).flatMap((c, i) => {
    const code = typeof c.code === 'string' ? c.code : '';
    if (c.system === PURPOSE_SYSTEM && isPurposeOfUse(code)) return [code];
    problems.push(`Consent.provision.purpose[${i}]: not a v3-ActReason purpose of use Meridian knows (${code})`);
    return [];
  });
}

function classesOf(value: unknown, path: string, problems: string[]): Category[] {
  return uniq(
    codings(value).flatMap((c, i) => {
      const code = typeof c.code === 'string' ? c.code : '';
      if (c.system === RESOURCE_TYPES && (IPS_RESOURCE_TYPES as readonly string[]).includes(code)) {
        return [CATEGORY_OF[code as IpsResourceType]];
      }
      problems.push(`${path}[${i}]: not a resource type Meridian stores (${code})`);
      return [];
    }),
  );
}

function labelsOf(value: unknown, path: string, problems: string[]): SensitivityLabel[] {
  return codings(value).flatMap((c, i) => {
    const label = labelOfCoding(c.system, c.code);
    if (label !== null) return [label];
    problems.push(`${path}[${i}]: not a sensitivity or confidentiality label Meridian rules on`);
    return [];
  });
}

/** Categories and labels kept back: nested `deny` provisions naming only class or securityLabel. */
function keptBackOf(provision: Json, problems: string[]): { categories: Category[]; labels: SensitivityLabel[] } {
  const categories: Category[] = [];
  const labels: SensitivityLabel[] = [];
  list(provision.provision)
    .filter(isJson)
    .forEach((p, i) => {
      const path = `Consent.provision.provision[${i}]`;
      if (p.type !== 'deny') problems.push(`${path}.type: nested provisions may only deny ("deny")`);
      const extra = Object.keys(p).filter((k) => !['type', 'class', 'securityLabel', 'id'].includes(k));
      if (extra.length > 0)
        problems.push(`${path}: only class and securityLabel can be kept back (${extra.join(', ')})`);
      categories.push(...classesOf(p.class, `${path}.class`, problems));
      labels.push(...labelsOf(p.securityLabel, `${path}.securityLabel`, problems));
    });
  return { categories: uniq(categories), labels: uniq(labels) };
}

function destinationsOf(input: Json): string[] {
  return uniq(
    list(input.extension)
      .filter(isJson)
      .filter((e) => e.url === DESTINATIONS_EXTENSION)
      .flatMap((e) => list(e.extension).filter(isJson))
      .flatMap((e) => (typeof e.valueCode === 'string' ? [e.valueCode] : [])),
  );
}

function granteeOf(provision: Json, problems: string[]): FhirGrant['grantee'] {
  const actors = list(provision.actor).filter(isJson);
  if (actors.length !== 1) {
    problems.push('Consent.provision.actor: exactly one actor (the grantee) is required');
    return { kind: 'any_treating_provider' };
  }
  const reference = isJson(actors[0]?.reference) ? actors[0].reference : {};
  const identifier = isJson(reference.identifier) ? reference.identifier : {};
  const value = typeof identifier.value === 'string' ? identifier.value : '';
  if (identifier.system === ORGANISATION_SYSTEM) return { kind: 'organisation', organisationId: value };
  if (identifier.system === JURISDICTION_SYSTEM) return { kind: 'jurisdiction', jurisdiction: value };
  if (typeof reference.reference === 'string') {
    const org = /^Organization\/(.+)$/.exec(reference.reference)?.[1];
    if (org !== undefined) return { kind: 'organisation', organisationId: org };
  }
  if (identifier.system === GRANTEE_SYSTEM && value === ANY_TREATING_PROVIDER) return { kind: 'any_treating_provider' };
  problems.push(
    `Consent.provision.actor[0].reference: name the grantee by identifier (${ORGANISATION_SYSTEM}, ${JURISDICTION_SYSTEM}, or ${GRANTEE_SYSTEM}|${ANY_TREATING_PROVIDER}) or as Organization/<id>`,
  );
  return { kind: 'any_treating_provider' };
}

function uniq<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

function refusal(problems: readonly string[]): Error {
  return badInput(`Invalid FHIR Consent: ${problems.join('; ')}`, { field: 'fhir', errors: [...problems] });
}
