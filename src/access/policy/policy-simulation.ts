import type { AuditEvent } from '../../domain/audit-event.js';
import type { Consent } from '../../domain/consent/index.js';
import type { Category } from '../../domain/fhir.js';
import { MeridianError, badInput } from '../../domain/errors.js';
import {
  decide,
  withDraft,
  type Decision,
  type DecisionRequest,
  type PolicyDocument,
} from '../../domain/policy/index.js';
import { isRole, type Principal } from '../../domain/principal.js';
import { isPurposeOfUse } from '../../domain/purpose.js';
import type { AuditLog } from '../../stores/audit-log.js';
import type { DecisionConsents } from '../consent/consent-service.js';
import type { PolicySource } from './policy-source.js';

/** How one region came out of a decision. */
export interface RegionOutcome {
  readonly region: string;
  readonly outcome: string;
  readonly code: string | null;
  readonly categories: readonly string[];
}

/** An audited request whose decision the draft would change. */
export interface ChangedDecision {
  readonly decisionId: string;
  readonly at: Date;
  readonly requesterOrg: string;
  readonly requesterJurisdiction: string;
  readonly purpose: string;
  readonly patientId: string;
  readonly before: { readonly outcome: string; readonly regions: readonly RegionOutcome[] };
  readonly after: { readonly outcome: string; readonly regions: readonly RegionOutcome[] };
}

export interface SimulationReport {
  /** Audited requests replayed under both the active policies and the draft. */
  readonly replayed: number;
  /** Audited requests that were refused before any decision (FORBIDDEN, NOT_FOUND, ...): nothing to replay. */
  readonly skipped: number;
  readonly changed: readonly ChangedDecision[];
}

export interface SimulationInput {
  readonly events: readonly AuditEvent[];
  /** The active policies, as verified. */
  readonly active: readonly PolicyDocument[];
  readonly draft: PolicyDocument;
  /** Region id → jurisdiction. */
  readonly jurisdictions: ReadonlyMap<string, string>;
  /** A patient's consents as they stand now (verified). */
  readonly consentsOf: (patientId: string) => Promise<readonly Consent[]>;
}

/**
 * Replays audited requests under the active policies and under the active policies with
 * the draft in place of its jurisdiction's version, with the same consents and at the same
 * instant, and lists every decision that would come out differently. Only the policy
 * differs between the two runs, so every listed change is the draft's doing.
 */
export async function simulatePolicy(input: SimulationInput): Promise<SimulationReport> {
  const drafted = withDraft(input.active, input.draft);
  const consents = new Map<string, readonly Consent[]>();
  const changed: ChangedDecision[] = [];
  let replayed = 0;
  for (const event of input.events) {
    const request = replayable(event, input.jurisdictions);
    if (request === null) continue;
    replayed++;
    const patientConsents = consents.get(event.patientId) ?? (await input.consentsOf(event.patientId));
    consents.set(event.patientId, patientConsents);
    const before = summarise(decide(request, { policies: input.active, consents: patientConsents }));
    const after = summarise(decide(request, { policies: drafted, consents: patientConsents }));
    if (JSON.stringify(before) !== JSON.stringify(after)) {
      changed.push({
        decisionId: event.id,
        at: event.at,
        requesterOrg: event.requesterOrg,
        requesterJurisdiction: event.requesterJurisdiction,
        purpose: event.purpose,
        patientId: event.patientId,
        before,
        after,
      });
    }
  }
  return { replayed, skipped: input.events.length - replayed, changed };
}

/** The request an audit event recorded, or null when it never reached a decision. */
function replayable(event: AuditEvent, jurisdictions: ReadonlyMap<string, string>): DecisionRequest | null {
  const regions = event.body.regions.requested.flatMap((region) => {
    const jurisdiction = jurisdictions.get(region);
    return jurisdiction === undefined ? [] : [{ region, jurisdiction }];
  });
  if (regions.length === 0 || !isPurposeOfUse(event.purpose)) return null;
  const roles = event.body.requesterRoles.filter(isRole);
  const breakGlass = event.body.breakGlass;
  return {
    requester: {
      organisationId: event.requesterOrg,
      jurisdiction: event.requesterJurisdiction,
      roles,
      // A patient only ever reads their own records (refused before any decision otherwise).
      ...(roles.includes('patient') && event.purpose === 'PATRQT' ? { patientId: event.patientId } : {}),
    },
    purpose: event.purpose,
    patientId: event.patientId,
    regions,
    categories: event.body.categories.requested as Category[],
    ...(breakGlass ? { breakGlass: { justification: breakGlass.justification, startedAt: event.at } } : {}),
    at: event.at,
  };
}

function summarise(decision: Decision): { outcome: string; regions: RegionOutcome[] } {
  return {
    outcome: decision.outcome,
    regions: decision.regions.map((r) => ({
      region: r.region,
      outcome: r.outcome,
      code: r.code ?? null,
      categories: r.categories.filter((c) => c.effect === 'permit').map((c) => c.category),
    })),
  };
}

export interface PolicySimulatorOptions {
  readonly policies: PolicySource;
  /** A stored version's anchored document, for an officer it covers (PolicyService.anchoredVersion). */
  readonly draftOf: (principal: Principal, jurisdiction: string, version: string) => Promise<PolicyDocument>;
  readonly auditLog: AuditLog;
  readonly consents: { forDecision(patientId: string): Promise<DecisionConsents> };
  readonly jurisdictions: ReadonlyMap<string, string>;
  readonly maxReplay: number;
}

/** `simulatePolicy`: what a stored draft would change in recently audited decisions, before it is activated. */
export class PolicySimulator {
  readonly #o: Readonly<PolicySimulatorOptions>;

  constructor(options: Readonly<PolicySimulatorOptions>) {
    this.#o = options;
  }

  /**
   * Replays the `recent` latest audited requests.
   * @throws FORBIDDEN for anyone but an officer the policy covers; BAD_USER_INPUT for a bad
   * `recent`; INTEGRITY_VIOLATION when an active policy, the draft or a consent disagrees with the ledger.
   */
  async simulate(
    principal: Principal,
    jurisdiction: string,
    version: string,
    recent: number,
  ): Promise<SimulationReport> {
    if (!Number.isInteger(recent) || recent < 1 || recent > this.#o.maxReplay) {
      throw badInput(`\`recent\` must be between 1 and ${this.#o.maxReplay}.`, { field: 'recent' });
    }
    const draft = await this.#o.draftOf(principal, jurisdiction, version);
    const active = await this.#o.policies.active();
    if (active.violations.length > 0) {
      throw new MeridianError(
        'INTEGRITY_VIOLATION',
        'An active policy disagrees with the ledger; nothing to compare with.',
        {
          subjects: active.violations.map((v) => v.subject),
        },
      );
    }
    const { events } = await this.#o.auditLog.recent({ first: recent });
    return simulatePolicy({
      events,
      active: active.policies.map((p) => p.document),
      draft,
      jurisdictions: this.#o.jurisdictions,
      consentsOf: async (patientId) => {
        const verified = await this.#o.consents.forDecision(patientId);
        // A patient whose consents disagree with the ledger is replayed without them: the
        // comparison is between two policies, and the integrity alert is raised on reads.
        return verified.consents.map((c) => c.consent);
      },
    });
  }
}
