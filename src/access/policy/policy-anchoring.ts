import type { PolicyEvent, PolicyVersion } from 'meridian-chaincode';
import { MeridianError } from '../../domain/errors.js';
import type { LedgerClient } from '../../ledger/ledger-client.js';
import { LedgerError } from '../../ledger/ledger-error.js';
import type { LedgerActor } from '../../ledger/ledger.js';

/** A lifecycle step as the chaincode's history names it. */
export type PolicyStep = PolicyEvent['action'];

/** The transaction that anchored a step, and when (the transaction's time). */
export interface StepAnchor {
  readonly txId: string;
  readonly at: Date;
}

interface VersionRef {
  readonly jurisdiction: string;
  readonly version: string;
  /** The content hash the caller expects the ledger to hold for this version. */
  readonly hash: string;
}

/**
 * A chaincode refusal as a Meridian error a compliance officer can act on: the contract's
 * own words (ids and hashes only), with the transaction id kept in the details.
 */
export function policyLedgerError(err: unknown): unknown {
  if (!(err instanceof LedgerError) || err.failure === 'unavailable') return err;
  const message = `The ledger refused the policy step: ${err.message}`;
  switch (err.chaincodeCode) {
    case 'FORBIDDEN':
      return new MeridianError('FORBIDDEN', message, err.details);
    case 'NOT_FOUND':
      return new MeridianError('NOT_FOUND', message, err.details);
    case 'CONFLICT':
    case 'INVALID_ARGUMENT':
    case 'PAYLOAD_REFUSED':
      return new MeridianError('BAD_USER_INPUT', message, err.details);
    case null:
    default:
      return err;
  }
}

function isRefusal(err: unknown, code: string): boolean {
  return err instanceof LedgerError && err.chaincodeCode === code;
}

/** True when the ledger already shows `step` done for `ref`, by `actor` where the step names one. */
function stepDone(current: PolicyVersion, step: PolicyStep, ref: VersionRef, actor: LedgerActor): boolean {
  if (current.hash !== ref.hash) return false;
  switch (step) {
    case 'recorded':
      return current.author === actor.user;
    case 'approved':
      return current.approver === actor.user;
    case 'activated':
      return current.status === 'active';
  }
}

/**
 * The policy contract's lifecycle steps, each answered with its transaction. A step the
 * ledger refuses as a CONFLICT because it is already done, with the same hash and by the
 * same officer (the ledger write of an earlier attempt succeeded, its database write did
 * not), answers with the transaction that did it, so a retry finishes the stored half.
 */
export class PolicyAnchoring {
  readonly #ledger: LedgerClient;
  readonly #reader: LedgerActor;

  /** @param reader who reads the ledger for verification, e.g. the gateway. */
  constructor(ledger: LedgerClient, reader: LedgerActor) {
    this.#ledger = ledger;
    this.#reader = reader;
  }

  record(actor: LedgerActor, ref: VersionRef): Promise<StepAnchor> {
    return this.#step(actor, ref, 'recorded', async () => {
      const done = await this.#ledger.recordPolicyVersion(actor, ref);
      return { txId: done.txId, at: new Date(done.value.recordedAt) };
    });
  }

  approve(actor: LedgerActor, ref: VersionRef): Promise<StepAnchor> {
    return this.#step(actor, ref, 'approved', async () => {
      const done = await this.#ledger.approvePolicyVersion(actor, ref);
      return { txId: done.txId, at: new Date(done.value.approvedAt ?? done.value.recordedAt) };
    });
  }

  /** Emits the chaincode's `PolicyActivated`; the version it replaces is retired on the ledger. */
  activate(actor: LedgerActor, ref: VersionRef): Promise<StepAnchor> {
    return this.#step(actor, ref, 'activated', async () => {
      const done = await this.#ledger.activatePolicyVersion(actor, ref);
      return { txId: done.txId, at: new Date(done.value.activatedAt ?? done.value.recordedAt) };
    });
  }

  /** The jurisdiction's active version on the ledger; null when none was ever activated. */
  activeVersion(jurisdiction: string): Promise<PolicyVersion | null> {
    return this.#orNull(() => this.#ledger.getActivePolicy(this.#reader, jurisdiction));
  }

  /** A version as the ledger holds it; null when it was never recorded. */
  version(jurisdiction: string, version: string): Promise<PolicyVersion | null> {
    return this.#orNull(() => this.#ledger.getPolicyVersion(this.#reader, jurisdiction, version));
  }

  /** The latest transaction that did `step` for the version; null when none did. */
  async stepTx(jurisdiction: string, version: string, step: PolicyStep): Promise<StepAnchor | null> {
    const history = await this.#ledger.getPolicyHistory(this.#reader, jurisdiction);
    const event = history.findLast((e) => e.version === version && e.action === step);
    return event ? { txId: event.txId, at: new Date(event.at) } : null;
  }

  async #step(
    actor: LedgerActor,
    ref: VersionRef,
    step: PolicyStep,
    submit: () => Promise<StepAnchor>,
  ): Promise<StepAnchor> {
    try {
      return await submit();
    } catch (err) {
      if (isRefusal(err, 'CONFLICT')) {
        const current = await this.version(ref.jurisdiction, ref.version);
        const earlier =
          current && stepDone(current, step, ref, actor)
            ? await this.stepTx(ref.jurisdiction, ref.version, step)
            : null;
        if (earlier) return earlier;
      }
      throw policyLedgerError(err);
    }
  }

  async #orNull<T>(read: () => Promise<T>): Promise<T | null> {
    try {
      return await read();
    } catch (err) {
      if (isRefusal(err, 'NOT_FOUND')) return null;
      throw err;
    }
  }
}
