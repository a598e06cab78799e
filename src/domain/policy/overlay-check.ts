import { SENSITIVITY_LABELS } from '../fhir.js';
import { PURPOSES_OF_USE } from '../purpose.js';
import { effectivePolicy, type EffectivePolicy } from './effective-policy.js';
import type { OverlayPolicyDocument, RootPolicyDocument } from './policy-document.js';

// Each check compares what the overlay states with what survives the merge: a stated value
// that did not survive was looser than the policy it extends, and was ignored.

type Check = (path: string) => string[];

function ignored(path: string, what: string): string {
  return `${path}: ${what} is ignored: an overlay can only tighten the policy it extends`;
}

function widened<T>(stated: readonly T[] | undefined, kept: readonly T[]): Check {
  return (path) => {
    const lost = (stated ?? []).filter((x) => !kept.includes(x));
    return lost.length > 0 ? [ignored(path, lost.join(', '))] : [];
  };
}

function dropped<T>(stated: readonly T[] | undefined, kept: readonly T[]): Check {
  return (path) => {
    if (stated === undefined) return [];
    const missing = kept.filter((x) => !stated.includes(x));
    return missing.length > 0 ? [ignored(path, `leaving out ${missing.join(', ')}`)] : [];
  };
}

function differs<T>(stated: T | undefined, kept: T): Check {
  return (path) => (stated !== undefined && stated !== kept ? [ignored(path, String(stated))] : []);
}

function purposeChecks(overlay: OverlayPolicyDocument, merged: EffectivePolicy): string[] {
  return PURPOSES_OF_USE.flatMap((p) => {
    const rule = overlay.rules.purposes?.[p];
    const kept = merged.purposes[p];
    const at = `rules.purposes.${p}`;
    if (rule?.allowed !== true) return [];
    if (!kept.allowed) return [ignored(`${at}.allowed`, 'true')];
    return [
      ...widened(rule.categories, kept.categories)(`${at}.categories`),
      ...widened(rule.roles, kept.roles ?? rule.roles ?? [])(`${at}.roles`),
      ...(rule.roles === undefined && kept.roles !== undefined ? [ignored(`${at}.roles`, 'any role')] : []),
      ...(!rule.explicitConsent && rule.legalBasis !== 'consent' && kept.consentRequired
        ? [ignored(`${at}.explicitConsent`, 'false')]
        : []),
    ];
  });
}

function sensitiveChecks(overlay: OverlayPolicyDocument, merged: EffectivePolicy): string[] {
  return SENSITIVITY_LABELS.flatMap((label) => {
    const rule = overlay.rules.sensitive?.[label];
    const kept = merged.sensitive[label];
    const at = `rules.sensitive.${label}`;
    if (rule === undefined) return [];
    return [
      ...dropped(rule.requires, kept.requires)(`${at}.requires`),
      ...differs(rule.whenWithheld, kept.whenWithheld)(`${at}.whenWithheld`),
      ...widened(rule.exemptPurposes, kept.exemptPurposes)(`${at}.exemptPurposes`),
      ...differs(rule.breakGlass, kept.breakGlass)(`${at}.breakGlass`),
    ];
  });
}

function crossBorderChecks(overlay: OverlayPolicyDocument, merged: EffectivePolicy): string[] {
  const rule = overlay.rules.crossBorder;
  const kept = merged.crossBorder;
  if (rule === undefined) return [];
  return [
    ...widened(rule.adequate, kept.adequate)('rules.crossBorder.adequate'),
    ...differs(rule.otherwise, kept.otherwise)('rules.crossBorder.otherwise'),
    ...widened(rule.exemptPurposes, kept.exemptPurposes)('rules.crossBorder.exemptPurposes'),
    ...differs(rule.breakGlassDerogation, kept.breakGlassDerogation)('rules.crossBorder.breakGlassDerogation'),
    ...differs(rule.withinFamily, kept.withinFamily)('rules.crossBorder.withinFamily'),
  ];
}

function breakGlassChecks(overlay: OverlayPolicyDocument, merged: EffectivePolicy): string[] {
  const rule = overlay.rules.breakGlass;
  const kept = merged.breakGlass;
  if (rule === undefined) return [];
  return [
    ...differs(rule.allowed, kept.allowed)('rules.breakGlass.allowed'),
    ...widened(rule.roles, kept.roles)('rules.breakGlass.roles'),
    ...widened(rule.purposes, kept.purposes)('rules.breakGlass.purposes'),
    ...widened(rule.categories, kept.categories)('rules.breakGlass.categories'),
    ...differs(rule.maxDurationMinutes, kept.maxDurationMinutes)('rules.breakGlass.maxDurationMinutes'),
    ...dropped(rule.obligations, kept.obligations)('rules.breakGlass.obligations'),
    ...differs(rule.overridesObjection, kept.overridesObjection)('rules.breakGlass.overridesObjection'),
  ];
}

/**
 * What an overlay states that would loosen the chain it extends, one line per path.
 * Merging ignores such values anyway; activation should refuse an overlay with any, so a
 * compliance officer never believes a rule is in force that is not.
 * @param root the regional policy; @param parents overlays between it and `overlay`, parent first.
 */
export function overlayLoosenings(
  root: RootPolicyDocument,
  parents: readonly OverlayPolicyDocument[],
  overlay: OverlayPolicyDocument,
): string[] {
  const merged = effectivePolicy(root, [...parents, overlay]);
  const consentDefault = overlay.rules.consentDefault === 'opt_out' && hasOptIn(root, parents);
  return [
    ...(consentDefault ? [ignored('rules.consentDefault', 'opt_out')] : []),
    ...purposeChecks(overlay, merged),
    ...sensitiveChecks(overlay, merged),
    ...crossBorderChecks(overlay, merged),
    ...breakGlassChecks(overlay, merged),
  ];
}

function hasOptIn(root: RootPolicyDocument, parents: readonly OverlayPolicyDocument[]): boolean {
  return root.rules.consentDefault === 'opt_in' || parents.some((p) => p.rules.consentDefault === 'opt_in');
}
