import type { Consent } from '../consent/consent.js';
import { consentAllowsDestination, consentAllowsLabel, consentDeniesLabel } from '../consent/consent-scope.js';
import type { SensitivityLabel } from '../fhir.js';
import type { SensitiveDecision } from './decision.js';
import type { EffectivePolicy } from './effective-policy.js';
import type { Reason } from './reason.js';
import type { RegionFrame } from './region-frame.js';

interface SideVerdict {
  readonly denials: readonly Reason[];
  readonly grounds: readonly Reason[];
  readonly needsConsent: boolean;
}

function breakGlassVerdict(side: EffectivePolicy, label: SensitivityLabel): SideVerdict {
  const rule = side.sensitive[label];
  switch (rule.breakGlass) {
    case 'withhold':
      return {
        denials: [{ code: 'SENSITIVE_WITHHELD_IN_BREAK_GLASS', label, jurisdiction: side.jurisdiction }],
        grounds: [],
        needsConsent: false,
      };
    case 'explicit_consent':
      return { denials: [], grounds: [], needsConsent: true };
    case 'release': {
      const grounds: Reason[] = rule.requires.includes('explicit_consent')
        ? [{ code: 'SENSITIVE_RELEASED_IN_BREAK_GLASS', label }]
        : [];
      return { denials: [], grounds, needsConsent: false };
    }
  }
}

/** One side's rule for a label: exempt purpose, never, never across borders, then consent. */
function sideVerdict(frame: RegionFrame, side: EffectivePolicy, label: SensitivityLabel): SideVerdict {
  const rule = side.sensitive[label];
  const { purpose, requester } = frame.request;
  if (rule.exemptPurposes.includes(purpose)) {
    return { denials: [], grounds: [{ code: 'SENSITIVE_EXEMPT_FOR_PURPOSE', label, purpose }], needsConsent: false };
  }
  const denials: Reason[] = [];
  if (rule.requires.includes('deny'))
    denials.push({ code: 'SENSITIVE_DENIED', label, jurisdiction: side.jurisdiction });
  if (rule.requires.includes('never_cross_border') && frame.crossBorder) {
    denials.push({
      code: 'SENSITIVE_NEVER_CROSS_BORDER',
      label,
      from: frame.target.jurisdiction,
      to: requester.jurisdiction,
    });
  }
  if (denials.length > 0) return { denials, grounds: [], needsConsent: false };
  if (frame.breakGlass.active) return breakGlassVerdict(side, label);
  return { denials: [], grounds: [], needsConsent: rule.requires.includes('explicit_consent') };
}

/** A permit that explicitly allows the label (and, where the transfer needs it, the destination). */
function explicitConsent(frame: RegionFrame, label: SensitivityLabel): { granted: boolean; reasons: Reason[] } {
  const transfer = frame.transfer.need === 'consent';
  const carries = (c: Consent): boolean =>
    consentAllowsLabel(c, label) && (!transfer || consentAllowsDestination(c, frame.requester));
  const given = frame.consents.permits.find(carries);
  if (given) return { granted: true, reasons: [{ code: 'SENSITIVE_EXPLICIT_CONSENT', label, consentId: given.id }] };
  const reasons: Reason[] = [{ code: 'SENSITIVE_REQUIRES_EXPLICIT_CONSENT', label }];
  const revoked = frame.consents.revoked.find(carries);
  if (revoked) reasons.push({ code: 'CONSENT_REVOKED', consentId: revoked.id });
  return { granted: false, reasons };
}

/**
 * The patient's own restriction of a label (`labelsDenied` on a consent that speaks to this
 * request): it withholds the label whatever the policy allows, and break-glass sets it aside
 * only where the policy lets break-glass override objections.
 */
function restriction(frame: RegionFrame, label: SensitivityLabel): SideVerdict {
  const restricting = frame.consents.permits.filter((c) => consentDeniesLabel(c, label));
  const bg = frame.breakGlass;
  if (bg.active && bg.overridesObjection) {
    const grounds = restricting.map((c): Reason => ({ code: 'OBJECTION_OVERRIDDEN', consentId: c.id }));
    return { denials: [], grounds, needsConsent: false };
  }
  const denials = restricting.map((c): Reason => ({ code: 'CONSENT_EXCLUDES_LABEL', consentId: c.id, label }));
  return { denials, grounds: [], needsConsent: false };
}

/**
 * One label of one region. A region that discloses nothing withholds every label;
 * otherwise each side's rule applies and deny overrides. A withheld label is hidden
 * when any side's policy says its existence must not be revealed.
 */
export function decideLabel(frame: RegionFrame, label: SensitivityLabel, regionDisclosed: boolean): SensitiveDecision {
  const hidden = frame.sides.some((s) => s.sensitive[label].whenWithheld === 'hidden');
  if (!regionDisclosed) {
    return { label, effect: 'deny', hidden, reasons: [{ code: 'REGION_DENIED', region: frame.target.region }] };
  }
  const verdicts = [restriction(frame, label), ...frame.sides.map((side) => sideVerdict(frame, side, label))];
  const denials = verdicts.flatMap((v) => v.denials);
  if (denials.length > 0) return { label, effect: 'deny', hidden, reasons: denials };
  const grounds = verdicts.flatMap((v) => v.grounds);
  if (verdicts.some((v) => v.needsConsent)) {
    const consent = explicitConsent(frame, label);
    return consent.granted
      ? { label, effect: 'permit', hidden: false, reasons: [...grounds, ...consent.reasons] }
      : { label, effect: 'deny', hidden, reasons: consent.reasons };
  }
  const allowed: Reason = { code: 'SENSITIVE_ALLOWED', label };
  return { label, effect: 'permit', hidden: false, reasons: grounds.length > 0 ? grounds : [allowed] };
}
