import type { Category, SensitivityLabel } from '../fhir.js';
import { SENSITIVITY_LABELS } from '../fhir.js';
import type { Role } from '../principal.js';
import { PURPOSES_OF_USE, type PurposeOfUse } from '../purpose.js';
import type {
  BreakGlassRule,
  CrossBorderRule,
  OverlayPolicyDocument,
  PolicyRef,
  PurposeRule,
  RootPolicyDocument,
  SensitiveRule,
} from './policy-document.js';
import {
  BREAK_GLASS_SENSITIVE,
  CONSENT_DEFAULTS,
  TRANSFER_REQUIREMENTS,
  WITHHELD_VISIBILITY,
  WITHIN_FAMILY_REQUIREMENTS,
  stricter,
  type ConsentDefault,
  type LegalBasis,
  type WithinFamilyRequirement,
} from './policy-vocabulary.js';
import { intersect, recordOf, union } from './set-ops.js';

/** One purpose as the whole chain rules it. */
export interface EffectivePurpose {
  readonly allowed: boolean;
  /** A permit consent of the patient naming the purpose is needed (outside break-glass). */
  readonly consentRequired: boolean;
  /** The legal bases of the chain, regional first; empty when the purpose is refused. */
  readonly legalBases: readonly LegalBasis[];
  readonly categories: readonly Category[];
  /** Roles that may invoke it; undefined = any role. */
  readonly roles: readonly Role[] | undefined;
  readonly patientOnly: boolean;
  /** The answer must be de-identified (HIPAA Safe Harbor, 45 CFR 164.514(b)(2)) with pseudonymous ids. */
  readonly deidentify: boolean;
  /** The requester's organisation must have an open care relationship with the patient. */
  readonly careRelationship: boolean;
}

/** Episode length where no policy of the chain states one. */
export const DEFAULT_EPISODE_DAYS = 30;

/** Cross-border rules in force, with the within-family default (`allow`) filled in. */
export interface EffectiveCrossBorder extends CrossBorderRule {
  readonly withinFamily: WithinFamilyRequirement;
}

/** The rules in force for a jurisdiction: its regional policy tightened by each overlay. */
export interface EffectivePolicy {
  /** The regional policy's id: between two of its countries `crossBorder.withinFamily` applies. */
  readonly family: string;
  /** The most specific policy id, e.g. DE for [EU, DE]: the name reasons use. */
  readonly jurisdiction: string;
  /** Policy ids, regional first, e.g. [EU, DE]. */
  readonly chain: readonly string[];
  readonly sources: readonly PolicyRef[];
  readonly frameworks: readonly string[];
  readonly purposes: Readonly<Record<PurposeOfUse, EffectivePurpose>>;
  readonly sensitive: Readonly<Record<SensitivityLabel, SensitiveRule>>;
  readonly crossBorder: EffectiveCrossBorder;
  readonly breakGlass: BreakGlassRule;
  /** How long a care relationship opened under this policy lasts, in days. */
  readonly careEpisodeDays: number;
  /** Years audit events must be kept (the longest any applied policy asks); 0: none asked. */
  readonly auditRetentionYears: number;
}

const REFUSED: EffectivePurpose = {
  allowed: false,
  consentRequired: false,
  legalBases: [],
  categories: [],
  roles: undefined,
  patientOnly: false,
  deidentify: false,
  careRelationship: false,
};

// Opt-in refuses a consent-based purpose without consent; explicit consent is needed whatever the basis.
function purposeOf(rule: PurposeRule, consentDefault: ConsentDefault): EffectivePurpose {
  if (!rule.allowed) return REFUSED;
  return {
    allowed: true,
    consentRequired: rule.explicitConsent || (rule.legalBasis === 'consent' && consentDefault === 'opt_in'),
    legalBases: [rule.legalBasis],
    categories: rule.categories,
    roles: rule.roles,
    patientOnly: rule.patientOnly === true,
    deidentify: rule.deidentify === 'safe_harbor',
    careRelationship: rule.careRelationship === true,
  };
}

function meetPurpose(a: EffectivePurpose, b: EffectivePurpose): EffectivePurpose {
  if (!a.allowed || !b.allowed) return REFUSED;
  return {
    allowed: true,
    consentRequired: a.consentRequired || b.consentRequired,
    legalBases: union(a.legalBases, b.legalBases),
    categories: intersect(a.categories, b.categories),
    roles: a.roles === undefined || b.roles === undefined ? (a.roles ?? b.roles) : intersect(a.roles, b.roles),
    patientOnly: a.patientOnly || b.patientOnly,
    deidentify: a.deidentify || b.deidentify,
    careRelationship: a.careRelationship || b.careRelationship,
  };
}

function tightenSensitive(acc: SensitiveRule, rule: SensitiveRule | undefined): SensitiveRule {
  if (rule === undefined) return acc;
  return {
    requires: union(acc.requires, rule.requires),
    whenWithheld: stricter(WITHHELD_VISIBILITY, acc.whenWithheld, rule.whenWithheld),
    exemptPurposes: intersect(acc.exemptPurposes, rule.exemptPurposes),
    breakGlass: stricter(BREAK_GLASS_SENSITIVE, acc.breakGlass, rule.breakGlass),
    note: rule.note ?? acc.note,
  };
}

function tightenCrossBorder(acc: EffectiveCrossBorder, rule: CrossBorderRule | undefined): EffectiveCrossBorder {
  if (rule === undefined) return acc;
  return {
    adequate: intersect(acc.adequate, rule.adequate),
    otherwise: stricter(TRANSFER_REQUIREMENTS, acc.otherwise, rule.otherwise),
    exemptPurposes: intersect(acc.exemptPurposes, rule.exemptPurposes),
    breakGlassDerogation: acc.breakGlassDerogation && rule.breakGlassDerogation,
    withinFamily: stricter(WITHIN_FAMILY_REQUIREMENTS, acc.withinFamily, rule.withinFamily ?? 'allow'),
    note: rule.note ?? acc.note,
  };
}

function tightenBreakGlass(acc: BreakGlassRule, rule: BreakGlassRule | undefined): BreakGlassRule {
  if (rule === undefined) return acc;
  return {
    allowed: acc.allowed && rule.allowed,
    roles: intersect(acc.roles, rule.roles),
    purposes: intersect(acc.purposes, rule.purposes),
    categories: intersect(acc.categories, rule.categories),
    maxDurationMinutes: Math.min(acc.maxDurationMinutes, rule.maxDurationMinutes),
    obligations: union(acc.obligations, rule.obligations),
    overridesObjection: acc.overridesObjection && rule.overridesObjection,
    note: rule.note ?? acc.note,
  };
}

/**
 * Overlay `overlay` on `base`. Each rule in force at the overlay (its own, else the
 * inherited one, judged under the overlay's consent default) is combined with the base by
 * keeping the stricter side, field by field, so an overlay can tighten but never loosen.
 */
function applyOverlay(base: EffectivePolicy, overlay: OverlayPolicyDocument, inForce: InForce): EffectivePolicy {
  const consentDefault = stricter(CONSENT_DEFAULTS, inForce.consentDefault, overlay.rules.consentDefault ?? 'opt_out');
  const purposes = { ...base.purposes };
  for (const p of PURPOSES_OF_USE) {
    const rule = overlay.rules.purposes?.[p] ?? inForce.purposes[p];
    purposes[p] = meetPurpose(base.purposes[p], purposeOf(rule, consentDefault));
    inForce.purposes[p] = rule;
  }
  inForce.consentDefault = consentDefault;
  const sensitive = { ...base.sensitive };
  for (const l of SENSITIVITY_LABELS) sensitive[l] = tightenSensitive(base.sensitive[l], overlay.rules.sensitive?.[l]);
  return {
    family: base.family,
    jurisdiction: overlay.jurisdiction,
    chain: [...base.chain, overlay.jurisdiction],
    sources: [...base.sources, { jurisdiction: overlay.jurisdiction, version: overlay.version }],
    frameworks: union(base.frameworks, [overlay.framework]),
    purposes,
    sensitive,
    crossBorder: tightenCrossBorder(base.crossBorder, overlay.rules.crossBorder),
    breakGlass: tightenBreakGlass(base.breakGlass, overlay.rules.breakGlass),
    careEpisodeDays: Math.min(base.careEpisodeDays, overlay.rules.careRelationships?.episodeDays ?? Infinity),
    // The law of the overlay may ask for longer, never for less.
    auditRetentionYears: Math.max(base.auditRetentionYears, overlay.rules.retention?.auditLogYears ?? 0),
  };
}

/** The purpose rules and consent default a chain element sees: its own, else its parent's. */
interface InForce {
  consentDefault: ConsentDefault;
  purposes: Record<PurposeOfUse, PurposeRule>;
}

/**
 * The effective policy of a chain: the regional policy, then each overlay in order
 * (parent before child). Merge rule, per field: booleans that allow are ANDed, booleans
 * that restrict are ORed, allow-lists are intersected, requirement lists are united,
 * ordered values (opt_out < opt_in, reported < hidden, release < explicit_consent < withhold,
 * allow < explicit_consent < deny, within-family allow < explicit_consent) keep the stricter,
 * durations keep the shorter.
 */
export function effectivePolicy(
  root: RootPolicyDocument,
  overlays: readonly OverlayPolicyDocument[] = [],
): EffectivePolicy {
  const inForce: InForce = { consentDefault: root.rules.consentDefault, purposes: { ...root.rules.purposes } };
  const base: EffectivePolicy = {
    family: root.jurisdiction,
    jurisdiction: root.jurisdiction,
    chain: [root.jurisdiction],
    sources: [{ jurisdiction: root.jurisdiction, version: root.version }],
    frameworks: [root.framework],
    purposes: recordOf(PURPOSES_OF_USE, (p) => purposeOf(root.rules.purposes[p], root.rules.consentDefault)),
    sensitive: root.rules.sensitive,
    crossBorder: { ...root.rules.crossBorder, withinFamily: root.rules.crossBorder.withinFamily ?? 'allow' },
    breakGlass: root.rules.breakGlass,
    careEpisodeDays: root.rules.careRelationships?.episodeDays ?? DEFAULT_EPISODE_DAYS,
    auditRetentionYears: root.rules.retention?.auditLogYears ?? 0,
  };
  return overlays.reduce<EffectivePolicy>((acc, overlay) => applyOverlay(acc, overlay, inForce), base);
}
