import type { AuditEvent, NewAuditEvent } from './audit-event.js';

/** What a patient is told about: a break-glass access (always), any other disclosure (when asked). */
export type NotificationKind = 'break_glass' | 'access';

/**
 * What an audit event tells its patient, if anything: every granted break-glass access, and
 * every other decision that disclosed records to someone other than the patient themself.
 * Refusals, and a patient reading their own data, tell nothing.
 */
export function notificationKind(event: NewAuditEvent): NotificationKind | null {
  if (event.breakGlass) return 'break_glass';
  const disclosed = event.outcome !== 'deny' && event.body.recordCount > 0;
  const bySomeoneElse = event.purpose !== 'PATRQT' && !event.body.requesterRoles.includes('patient');
  return disclosed && bySomeoneElse ? 'access' : null;
}

/** The Standard Webhooks event types, by kind. */
export const WEBHOOK_EVENT_TYPES: Readonly<Record<NotificationKind, string>> = {
  break_glass: 'meridian.access.break_glass',
  access: 'meridian.access.disclosed',
};

/**
 * The body of a webhook (Standard Webhooks: `type`, `timestamp`, `data`): who accessed what,
 * when and why, as the patient's own access log tells it. Organisations, never staff; codes and
 * counts, never clinical content.
 */
export function webhookPayload(
  notification: { readonly id: string; readonly kind: NotificationKind },
  event: AuditEvent,
  organisationName: string | null,
): Record<string, unknown> {
  const breakGlass = event.body.breakGlass;
  return {
    type: WEBHOOK_EVENT_TYPES[notification.kind],
    timestamp: event.at.toISOString(),
    data: {
      notificationId: notification.id,
      decisionId: event.id,
      patientId: event.patientId,
      at: event.at.toISOString(),
      organisationId: event.requesterOrg,
      organisationName,
      jurisdiction: event.requesterJurisdiction,
      purpose: event.purpose,
      operation: event.operation,
      outcome: event.outcome.toUpperCase(),
      recordCount: event.body.recordCount,
      regions: event.body.regions.answered,
      breakGlass: event.breakGlass,
      ...(event.breakGlass && breakGlass ? { justification: breakGlass.justification } : {}),
    },
  };
}

/** Attempts before a delivery is given up on (about a day and a half of backoff at the default base). */
export const DEFAULT_MAX_ATTEMPTS = 12;
