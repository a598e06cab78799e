import type { ConsentReceipt, PolicyReceipt } from '../../domain/audit-event.js';
import { MeridianError } from '../../domain/errors.js';
import type { Category, SensitivityLabel } from '../../domain/fhir.js';
import {
  decide,
  type Decision,
  type DecisionRequest,
  type PolicyDocument,
  type RegionDecision,
  type SensitiveDecision,
} from '../../domain/policy/index.js';
import { hasRole, type Principal } from '../../domain/principal.js';
import type { PurposeOfUse } from '../../domain/purpose.js';
import type { PatientState } from 'meridian-chaincode';
import type { PatientLocation, PatientRows } from '../../stores/control-plane.js';
import type { ConsentRow } from '../../stores/consent-repository.js';
import type { CareRelationshipRow } from '../../stores/care-repository.js';
import type { DecisionConsents } from '../consent/consent-service.js';
import type { DecisionCare } from '../care/care-service.js';
import type { Epochs } from '../../cache/ledger-epochs.js';
import type { VerifiedCache } from '../../cache/verified-cache.js';
import type { ActivePolicies, IntegrityProblem, PolicySource } from '../policy/policy-source.js';

/** What is asked, as the read path knows it before deciding. */
export interface AccessQuestion {
  readonly principal: Principal;
  readonly patientId: string;
  readonly purpose: PurposeOfUse;
  readonly categories: readonly Category[];
  /** A break-glass claim: why the clinician needs emergency access. */
  readonly justification?: string;
}

/** One slice of a region that may be read: these categories, without items carrying these labels. */
export interface ReadSlice {
  readonly categories: readonly Category[];
  /** Items with these labels are left out of the read. */
  readonly withheldLabels: readonly SensitivityLabel[];
}

/** One region to read, and what of it may be read: the union of its slices. */
export interface RegionPlan {
  readonly location: PatientLocation;
  readonly decision: RegionDecision;
  /** One slice; two under break-glass (the emergency read and the ordinary TREAT read). */
  readonly slices: readonly ReadSlice[];
}

/** A decision with the regions it lets the gateway read and the evidence it rests on. */
export interface DisclosurePlan {
  /** The decision as the requester is answered under it. */
  readonly decision: Decision;
  /**
   * The same decision as the access log records it: its labels narrowed to those the
   * patient's records carry, so the patient sees what was withheld. Never told to the
   * requester: where a policy hides a label, whether it is present must not show.
   */
  readonly audited: Decision;
  /** The epochs the decision's inputs were current at; null when cached entries may not be used. */
  readonly epochs: Epochs | null;
  /** Regions permitted in whole or in part. */
  readonly readable: readonly RegionPlan[];
  readonly policies: readonly PolicyReceipt[];
  readonly consents: readonly ConsentReceipt[];
}

export interface AccessDeciderOptions {
  readonly policies: PolicySource;
  /** `rows`: the patient's consents as read just before `state` (read here when not given). */
  readonly consents: {
    forDecision(patientId: string, state?: PatientState, rows?: readonly ConsentRow[]): Promise<DecisionConsents>;
  };
  /** The patient's care relationships, verified; without it no organisation is treating anyone. */
  readonly care?: {
    forDecision(patientId: string, state?: PatientState, rows?: readonly CareRelationshipRow[]): Promise<DecisionCare>;
  };
  /** Region id → the jurisdiction whose law governs it. */
  readonly jurisdictions: ReadonlyMap<string, string>;
  /**
   * The sensitivity labels a patient's records carry in a region, if it can tell; `census` is
   * the digest of the patient's records there the ledger anchors (undefined: no fresh ledger state).
   */
  readonly labelsIn: (
    location: PatientLocation,
    census: string | undefined,
    patientId: string,
  ) => Promise<readonly SensitivityLabel[]>;
  readonly clock?: () => Date;
  /** Verified policies and consents, keyed by their epochs on the ledger. */
  readonly cache?: VerifiedCache;
  /** The epochs cached entries may be used under, from the patient's ledger state; null when they may not. */
  readonly epochs?: { current(patientId: string, read: Epochs): Epochs | null };
  /** Something stored disagrees with the ledger: an alert for operators. */
  readonly onIntegrityViolation?: (problems: readonly IntegrityProblem[]) => void;
}

/** The patient's consent and care rows, read beside their index rows. */
export type PatientInputRows = Pick<PatientRows, 'consents' | 'care'>;

/** What a decision needs of the patient, verified against the ledger. */
interface PatientInputs extends DecisionConsents {
  readonly care: DecisionCare['relationships'];
}

/**
 * The decision step of a lookup: loads the active policies and the patient's consents,
 * each verified against the ledger, and runs the policy engine on them. Nothing stored
 * that disagrees with the ledger is ever used: it fails the decision with INTEGRITY_VIOLATION.
 */
export class AccessDecider {
  readonly #o: Readonly<AccessDeciderOptions>;

  constructor(options: Readonly<AccessDeciderOptions>) {
    this.#o = options;
  }

  /**
   * `rows`: the patient's consents and care as read just before `state`, checked against it
   * (without a state, they are read again and checked one by one against the ledger).
   * @throws MeridianError INTEGRITY_VIOLATION or LEDGER_UNAVAILABLE: decide nothing, disclose nothing.
   */
  async plan(
    question: AccessQuestion,
    locations: readonly PatientLocation[],
    state: PatientState | null,
    rows?: PatientInputRows,
  ): Promise<DisclosurePlan> {
    // Without a fresh ledger state no cached entry may be used, and consents are verified one by one.
    const epochs = state === null ? null : (this.#o.epochs?.current(state.patientRef, state) ?? null);
    const [active, consents] = await Promise.all([
      this.#activePolicies(epochs, state),
      this.#consents(question, epochs, state, rows),
    ]);
    const problems = [...active.violations, ...consents.violations];
    if (problems.length > 0) {
      this.#o.onIntegrityViolation?.(problems);
      // Which ones is for the alert: a subject names a consent, and a requester is never told a consent's id.
      throw new MeridianError(
        'INTEGRITY_VIOLATION',
        'A policy or consent this decision needs no longer matches its ledger anchor; nothing is disclosed.',
      );
    }
    const context = {
      policies: documentsOf(active),
      consents: consents.consents.map((c) => c.consent),
      careRelationships: consents.care,
    };
    const request = this.#request(question, locations);
    const judged = decide(request, context);
    const present = await this.#labelsPresent(judged, locations, question.patientId, state);
    const toTell = present && told(judged, present);
    const decision = toTell === null ? judged : decide({ ...request, sensitivityPresent: toTell }, context);
    // Judged again for the access log only where the presence told differs from the real one.
    const audited =
      present === null || samePresence(present, toTell ?? {})
        ? decision
        : decide({ ...request, sensitivityPresent: present }, context);
    return {
      decision,
      audited,
      epochs,
      readable: readablePlans(decision, locations),
      policies: decision.policiesUsed.flatMap((ref) =>
        active.policies
          .filter((p) => p.document.jurisdiction === ref.jurisdiction && p.document.version === ref.version)
          .map((p) => ({ jurisdiction: ref.jurisdiction, version: ref.version, hash: p.hash, txId: p.activateTxId })),
      ),
      consents: decision.consentsUsed.flatMap((ref) =>
        consents.consents
          .filter((c) => c.consent.id === ref.id && c.consent.version === ref.version)
          .map((c) => ({ id: ref.id, version: ref.version, hash: c.contentHash, txId: c.grantTxId })),
      ),
    };
  }

  /** The active policies, verified: from the cache under the policy epoch, else from the source (told the epoch). */
  #activePolicies(epochs: Epochs | null, state: PatientState | null): Promise<ActivePolicies> {
    const load = (): Promise<ActivePolicies> => this.#o.policies.active(state?.policies);
    if (this.#o.cache === undefined) return load();
    return this.#o.cache.through('policies', epochs && [epochs.policies], load, (a) => a.violations.length === 0);
  }

  /** The patient's consents and care relationships: both move the patient's epoch, so they are cached together. */
  #consents(
    { patientId }: AccessQuestion,
    epochs: Epochs | null,
    state: PatientState | null,
    rows: PatientInputRows | undefined,
  ): Promise<PatientInputs> {
    // Rows read before a state are checked against it; without one they are read again.
    const given = state ?? undefined;
    const read = state === null ? undefined : rows;
    const load = async (): Promise<PatientInputs> => {
      const [consents, care] = await Promise.all([
        this.#o.consents.forDecision(patientId, given, read?.consents),
        this.#o.care?.forDecision(patientId, given, read?.care) ?? { relationships: [], violations: [] },
      ]);
      return { ...consents, care: care.relationships, violations: [...consents.violations, ...care.violations] };
    };
    if (this.#o.cache === undefined) return load();
    return this.#o.cache.through(
      'consents',
      epochs && [patientId, epochs.consents],
      load,
      (c) => c.violations.length === 0,
      patientId,
    );
  }

  #request(question: AccessQuestion, locations: readonly PatientLocation[]): DecisionRequest {
    const { principal } = question;
    const at = this.#o.clock?.() ?? new Date();
    return {
      requester: {
        organisationId: principal.organisationId,
        jurisdiction: principal.jurisdiction,
        roles: principal.roles,
        ...(hasRole(principal, 'patient') && principal.patientId !== undefined
          ? { patientId: principal.patientId }
          : {}),
      },
      purpose: question.purpose,
      patientId: question.patientId,
      regions: locations.map((l) => ({ region: l.region, jurisdiction: this.#o.jurisdictions.get(l.region) ?? '' })),
      categories: question.categories,
      ...(question.justification !== undefined ? { breakGlass: { justification: question.justification } } : {}),
      at,
    };
  }

  /**
   * Labels present per region that withholds a label; null when none does. Asked for hidden
   * labels too (for the access log), so a patient with hidden items costs the same as one without.
   */
  async #labelsPresent(
    decision: Decision,
    locations: readonly PatientLocation[],
    patientId: string,
    state: PatientState | null,
  ): Promise<Record<string, readonly SensitivityLabel[]> | null> {
    const regions = decision.regions.filter((r) => r.sensitive.some((s) => s.effect === 'deny'));
    if (regions.length === 0) return null;
    const found = await Promise.all(
      regions.map(async (r) => {
        const location = locations.find((l) => l.region === r.region);
        // A region that cannot tell is judged as if it could not: every label stays unreported.
        const census = state?.locations.find((l) => l.region === r.region)?.records;
        const labels = location ? await this.#o.labelsIn(location, census, patientId).catch(() => null) : null;
        return [r.region, labels] as const;
      }),
    );
    const known = found.flatMap(([region, labels]) => (labels === null ? [] : [[region, labels] as const]));
    return known.length === 0 ? null : Object.fromEntries(known);
  }
}

/**
 * The presence the requester's answer may depend on: a withheld label it may report counts
 * only where present; every other label is judged as if present. A hidden label's decision
 * (and the consents it cites, which the receipt lists) is then the same whether or not the
 * patient has such items.
 */
function told(
  judged: Decision,
  present: Readonly<Record<string, readonly SensitivityLabel[]>>,
): Record<string, readonly SensitivityLabel[]> {
  return Object.fromEntries(
    judged.regions.flatMap((r) => {
      const found = present[r.region];
      if (found === undefined) return [];
      const reported = (s: SensitiveDecision): boolean => s.effect === 'deny' && !s.hidden;
      const labels = r.sensitive.filter((s) => !reported(s) || found.includes(s.label)).map((s) => s.label);
      return [[r.region, labels]];
    }),
  );
}

/** One documents array per (cached, so reused) set of active policies: the policy engine resolves each set once. */
const documents = new WeakMap<ActivePolicies, readonly PolicyDocument[]>();

function documentsOf(active: ActivePolicies): readonly PolicyDocument[] {
  let docs = documents.get(active);
  if (docs === undefined) documents.set(active, (docs = active.policies.map((p) => p.document)));
  return docs;
}

function samePresence(
  a: Readonly<Record<string, readonly SensitivityLabel[]>>,
  b: Readonly<Record<string, readonly SensitivityLabel[]>>,
): boolean {
  const regions = Object.keys(a);
  if (regions.length !== Object.keys(b).length) return false;
  return regions.every((region) => {
    const x = a[region] ?? [];
    const y = b[region];
    return y !== undefined && x.length === y.length && x.every((label) => y.includes(label));
  });
}

function readablePlans(decision: Decision, locations: readonly PatientLocation[]): RegionPlan[] {
  return decision.regions.flatMap((region) => {
    const location = locations.find((l) => l.region === region.region);
    if (region.outcome === 'deny' || location === undefined) return [];
    const parts = (region.parts ?? [region]).filter((part) => part.outcome !== 'deny');
    return [{ location, decision: region, slices: parts.map(sliceOf) }];
  });
}

function sliceOf(decision: RegionDecision): ReadSlice {
  return {
    categories: decision.categories.filter((c) => c.effect === 'permit').map((c) => c.category),
    withheldLabels: decision.sensitive.filter((s) => s.effect === 'deny').map((s) => s.label),
  };
}
