import type { PurposeOfUse } from '../purpose.js';
import type { EffectivePolicy } from './effective-policy.js';
import type { DecisionRequest } from './decision-request.js';
import { OBLIGATION_KINDS, type ObligationKind } from './policy-vocabulary.js';
import type { BreakGlassRefusal, Reason } from './reason.js';

/** Whether a region is read under break-glass, and what that commits the gateway to. */
export type BreakGlassState =
  | { readonly active: false; readonly reasons: readonly Reason[] }
  | {
      readonly active: true;
      readonly expiresAt: Date;
      readonly obligations: readonly ObligationKind[];
      /** Every side lets break-glass set a patient's objection aside. */
      readonly overridesObjection: boolean;
      readonly reasons: readonly Reason[];
    };

const MINUTE = 60_000;

function refusal(request: DecisionRequest, side: EffectivePolicy): BreakGlassRefusal | undefined {
  const rule = side.breakGlass;
  if (!rule.allowed) return 'not_allowed';
  if (!rule.purposes.includes(request.purpose)) return 'purpose_not_allowed';
  if (!request.requester.roles.some((r) => rule.roles.includes(r))) return 'role_not_allowed';
  return undefined;
}

function refused(why: BreakGlassRefusal, jurisdiction?: string): BreakGlassState {
  const where = jurisdiction === undefined ? {} : { jurisdiction };
  return { active: false, reasons: [{ code: 'BREAK_GLASS_REFUSED', why, ...where }] };
}

/**
 * Break-glass holds when a justification is given and every side's policy allows it for
 * the purpose and one of the requester's roles, within the shortest window of those
 * policies. A refused claim is not a denial: the request is judged as an ordinary one.
 */
export function breakGlassState(request: DecisionRequest, sides: readonly EffectivePolicy[]): BreakGlassState {
  const claim = request.breakGlass;
  if (claim === undefined) return { active: false, reasons: [] };
  if (claim.justification.trim() === '') return refused('justification_missing');
  for (const side of sides) {
    const why = refusal(request, side);
    if (why !== undefined) return refused(why, side.jurisdiction);
  }
  // A start in the future would stretch the window; the request's own instant caps it.
  const start = Math.min((claim.startedAt ?? request.at).getTime(), request.at.getTime());
  const minutes = Math.min(...sides.map((s) => s.breakGlass.maxDurationMinutes));
  const expiresAt = new Date(start + minutes * MINUTE);
  if (request.at >= expiresAt) return refused('expired');
  const wanted = new Set(sides.flatMap((s) => s.breakGlass.obligations));
  return {
    active: true,
    expiresAt,
    obligations: OBLIGATION_KINDS.filter((k) => wanted.has(k)),
    overridesObjection: sides.every((s) => s.breakGlass.overridesObjection),
    reasons: [{ code: 'BREAK_GLASS', expiresAt: expiresAt.toISOString() }],
  };
}

/** The bounds of a justification, in characters (trimmed). */
export const JUSTIFICATION_LENGTH = { min: 10, max: 500 } as const;

/**
 * Why a request's emergency claim is bad input, before anything is read: ETREAT is the
 * break-glass purpose and always needs a justification, and a justification says why in
 * 10 to 500 characters. Undefined when the request may be decided.
 */
export function breakGlassInputProblem(purpose: PurposeOfUse, justification: string | undefined): string | undefined {
  if (justification === undefined || justification.trim() === '') {
    return purpose === 'ETREAT'
      ? 'Purpose ETREAT is emergency access (break-glass): give a `justification` saying why, in 10 to 500 characters.'
      : undefined;
  }
  const length = justification.trim().length;
  if (length < JUSTIFICATION_LENGTH.min || length > JUSTIFICATION_LENGTH.max) {
    return '`justification` must say why, in 10 to 500 characters.';
  }
  return undefined;
}
