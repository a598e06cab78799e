import { contentHash, type HashScheme } from '../canonical-json.js';
import type { Category, SensitivityLabel } from '../fhir.js';
import type { Role } from '../principal.js';
import type { PurposeOfUse } from '../purpose.js';
import { overlayPolicySchema, rootPolicySchema } from './policy-schema.js';
import type {
  BreakGlassSensitive,
  ConsentDefault,
  LegalBasis,
  ObligationKind,
  POLICY_FORMAT,
  SensitiveRequirement,
  TransferRequirement,
  WithheldVisibility,
  WithinFamilyRequirement,
} from './policy-vocabulary.js';
import { parseOrThrow } from './schema-support.js';

/** A purpose the policy refuses outright. */
export interface RefusedPurpose {
  readonly allowed: false;
  readonly note?: string;
}

/** A purpose the policy allows, on a legal basis, for a minimum-necessary set of categories. */
export interface AllowedPurpose {
  readonly allowed: true;
  readonly legalBasis: LegalBasis;
  /** The patient's consent naming this purpose is needed whatever the legal basis. */
  readonly explicitConsent: boolean;
  /** Minimum necessary: only these categories may be disclosed for the purpose. */
  readonly categories: readonly Category[];
  /** Requester roles that may invoke the purpose; absent = any authenticated role. */
  readonly roles?: readonly Role[];
  /** Only the patient themself may invoke the purpose (right of access). */
  readonly patientOnly?: boolean;
  /** `safe_harbor`: answers for the purpose are de-identified (45 CFR 164.514(b)(2)), ids pseudonymous. */
  readonly deidentify?: 'safe_harbor';
  /**
   * The requester's organisation must be treating the patient: an open care relationship,
   * opened with the patient's access code at the point of care. Break-glass needs none.
   */
  readonly careRelationship?: boolean;
  readonly note?: string;
}

export type PurposeRule = RefusedPurpose | AllowedPurpose;

/** What items carrying one sensitivity label need. */
export interface SensitiveRule {
  /** Empty: nothing beyond what the item's category needs. */
  readonly requires: readonly SensitiveRequirement[];
  readonly whenWithheld: WithheldVisibility;
  /** Purposes the label's requirements do not apply to (e.g. PATRQT: the patient's own data). */
  readonly exemptPurposes: readonly PurposeOfUse[];
  readonly breakGlass: BreakGlassSensitive;
  readonly note?: string;
}

/** Transfers out of the policy family, and between its countries (the data side's rules apply). */
export interface CrossBorderRule {
  /** Destinations with an adequacy decision: jurisdiction codes or policy family ids. */
  readonly adequate: readonly string[];
  /** What any other destination needs. */
  readonly otherwise: TransferRequirement;
  /** Purposes that are not a transfer to a third party (e.g. PATRQT). */
  readonly exemptPurposes: readonly PurposeOfUse[];
  /** Break-glass waives `explicit_consent` for non-adequate destinations (GDPR Art. 49(1)(f)). */
  readonly breakGlassDerogation: boolean;
  /**
   * Exchanges between two countries of the family (DE → FR); absent = `allow`. Exempt
   * purposes and the break-glass derogation apply to them as to transfers out of the family.
   */
  readonly withinFamily?: WithinFamilyRequirement;
  readonly note?: string;
}

/** Emergency access without consent. */
export interface BreakGlassRule {
  readonly allowed: boolean;
  readonly roles: readonly Role[];
  readonly purposes: readonly PurposeOfUse[];
  /** The emergency subset: only these categories are disclosed under break-glass. */
  readonly categories: readonly Category[];
  readonly maxDurationMinutes: number;
  readonly obligations: readonly ObligationKind[];
  /** Break-glass also sets aside a patient's objection (vital interests). */
  readonly overridesObjection: boolean;
  readonly note?: string;
}

/** Care relationships opened under the policy of the treating organisation's jurisdiction. */
export interface CareRelationshipRule {
  /** How long a relationship lasts once opened (the episode of care), in days. */
  readonly episodeDays: number;
  readonly note?: string;
}

/** How long records the law requires are kept, e.g. HIPAA 45 CFR 164.316(b)(2): six years. */
export interface RetentionRule {
  /** Years an access decision's audit event is kept after it, an erasure of the patient notwithstanding (pseudonymised). */
  readonly auditLogYears: number;
  readonly note?: string;
}

/** The complete rules of a regional (root) policy. */
export interface PolicyRules {
  readonly consentDefault: ConsentDefault;
  readonly purposes: Readonly<Record<PurposeOfUse, PurposeRule>>;
  readonly sensitive: Readonly<Record<SensitivityLabel, SensitiveRule>>;
  readonly crossBorder: CrossBorderRule;
  readonly breakGlass: BreakGlassRule;
  /** Absent: episodes of DEFAULT_EPISODE_DAYS. */
  readonly careRelationships?: CareRelationshipRule;
  /** Absent: no retention period of its own (an overlay may set one). */
  readonly retention?: RetentionRule;
}

/** An overlay's rules: any section or entry left out is inherited unchanged. */
export interface OverlayRules {
  readonly consentDefault?: ConsentDefault;
  readonly purposes?: Readonly<Partial<Record<PurposeOfUse, PurposeRule>>>;
  readonly sensitive?: Readonly<Partial<Record<SensitivityLabel, SensitiveRule>>>;
  readonly crossBorder?: CrossBorderRule;
  readonly breakGlass?: BreakGlassRule;
  readonly careRelationships?: CareRelationshipRule;
  /** Absent: no retention period of its own (an overlay may set one). */
  readonly retention?: RetentionRule;
}

interface PolicyHeader {
  readonly format: typeof POLICY_FORMAT;
  /** The policy's id: a family (`EU`, `US`) or a national overlay (`DE`). */
  readonly jurisdiction: string;
  readonly framework: string;
  readonly version: string;
  readonly title?: string;
  /** Jurisdiction codes whose data and requesters this policy governs; a country covers its subdivisions. */
  readonly covers: readonly string[];
}

/** A regional policy: complete on its own. */
export interface RootPolicyDocument extends PolicyHeader {
  readonly extends?: undefined;
  readonly rules: PolicyRules;
}

/** A national overlay: tightens the policy it extends, never loosens it. */
export interface OverlayPolicyDocument extends PolicyHeader {
  readonly extends: string;
  readonly rules: OverlayRules;
}

export type PolicyDocument = RootPolicyDocument | OverlayPolicyDocument;

/** The exact policy version a decision used. */
export interface PolicyRef {
  readonly jurisdiction: string;
  readonly version: string;
}

function declaresExtends(json: unknown): boolean {
  return typeof json === 'object' && json !== null && 'extends' in json && json.extends !== undefined;
}

/**
 * Validates a policy document. A document with `extends` is an overlay (every section
 * optional); without it, a regional policy that must state every purpose and label.
 * @throws MeridianError BAD_USER_INPUT with `details.errors` naming each bad path.
 */
export function parsePolicyDocument(json: unknown): PolicyDocument {
  if (declaresExtends(json)) return parseOrThrow(overlayPolicySchema, json, 'policy document');
  return parseOrThrow(rootPolicySchema, json, 'policy document');
}

/** sha256 of the document's canonical JSON: what a policy version is anchored by on the ledger. */
export function policyDocumentHash(document: PolicyDocument, scheme: HashScheme = 'jcs'): string {
  return contentHash(document, scheme);
}
