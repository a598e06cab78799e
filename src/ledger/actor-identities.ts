// Before the chaincode classes load.
import './chaincode-logging.js';
import { canonicalJson } from 'meridian-chaincode';
import type { CertificateAuthority } from './certificate-authority.js';
import type { Invoker } from './chaincode-executor.js';
import { fabricCaAttributes } from './fabric-identities.js';
import type { InvokerCertificates } from './invoker-certificates.js';
import type { LedgerActor } from './ledger.js';

/** An invoker together with the id the chaincode reads from its certificate. */
export interface RecordedInvoker extends Invoker {
  /** `ClientIdentity.getID()` of the certificate. */
  readonly id: string;
}

interface Enrolment {
  readonly invoker: RecordedInvoker;
  readonly notAfter: Date;
}

/** A certificate this close to expiring is replaced rather than used. */
const RENEW_BEFORE_MS = 24 * 60 * 60 * 1000;

/**
 * One certificate per distinct actor, issued by the ledger's CA with the actor's
 * `meridian.*` attributes, as a Fabric CA enrolment would be. Certificates that signed
 * committed transactions are in the log, so `remember` restores them at open and an actor
 * keeps its certificate across restarts.
 */
export class ActorIdentities {
  readonly #ca: CertificateAuthority;
  readonly #certificates: InvokerCertificates;
  readonly #clock: () => Date;
  readonly #enrolments = new Map<string, Promise<Enrolment>>();

  constructor(options: Readonly<{ ca: CertificateAuthority; certificates: InvokerCertificates; clock: () => Date }>) {
    this.#ca = options.ca;
    this.#certificates = options.certificates;
    this.#clock = options.clock;
  }

  /** The invoker `actor` submits as; issues its certificate on first use. */
  async invokerFor(actor: LedgerActor): Promise<RecordedInvoker> {
    const attributes = fabricCaAttributes(actor);
    const key = canonicalJson(attributes);
    const pending = this.#enrolments.get(key);
    if (pending) {
      const enrolment = await pending;
      if (enrolment.notAfter.getTime() - this.#clock().getTime() > RENEW_BEFORE_MS) return enrolment.invoker;
      if (this.#enrolments.get(key) !== pending) return this.invokerFor(actor);
    }
    // Stored before awaiting, so concurrent first calls for one actor share one certificate.
    const issuing = this.#issue(actor.user, attributes);
    this.#enrolments.set(key, issuing);
    issuing.catch(() => this.#enrolments.delete(key));
    return (await issuing).invoker;
  }

  /** Restores the certificate of a committed transaction's invoker. */
  remember(certificatePem: string): void {
    const certificate = this.#certificates.inspect(certificatePem);
    const key = canonicalJson(certificate.attributes);
    const invoker: RecordedInvoker = { mspId: this.#ca.mspId, certificatePem, id: certificate.id };
    this.#enrolments.set(key, Promise.resolve({ invoker, notAfter: certificate.notAfter }));
  }

  async #issue(user: string, attributes: Readonly<Record<string, string>>): Promise<Enrolment> {
    const issued = await this.#ca.issue(user, { attributes });
    const certificate = this.#certificates.inspect(issued.certificatePem);
    return {
      invoker: { mspId: issued.mspId, certificatePem: issued.certificatePem, id: certificate.id },
      notAfter: certificate.notAfter,
    };
  }
}
