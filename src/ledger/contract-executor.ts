import { ClientIdentity, type ChaincodeStub } from 'fabric-shim';
import { contextFor, contracts } from 'meridian-chaincode';
import type { ChaincodeExecutor, TransactionRequest, TransactionResult, VersionedState } from './chaincode-executor.js';
import { TransactionStub } from './transaction-stub.js';
import { rememberRecent } from '../access/remember-recent.js';

/** Invokers whose parsed certificate is kept: a gateway has a handful, tests a few hundred. */
const IDENTITIES = 1_000;

type ContractInstance = InstanceType<(typeof contracts)[number]>;
type TransactionFn = (ctx: unknown, ...args: string[]) => Promise<unknown>;

interface TransactionMetadata {
  readonly name: string;
  readonly tag?: readonly string[];
}

/**
 * Runs Meridian's chaincode contract classes in-process, exactly the code a Fabric
 * peer runs: the same transactions, the same identity checks through fabric-shim's
 * own ClientIdentity, the same events.
 */
export class ContractExecutor implements ChaincodeExecutor {
  readonly #contracts = new Map<
    string,
    { contract: ContractInstance; transactions: Map<string, TransactionMetadata> }
  >();
  /** Fabric invokes the first contract when a function name has no `contract:` prefix. */
  #defaultContract = '';
  /**
   * Parsed identities by MSP and certificate: fabric-shim's ClientIdentity parses the X.509
   * certificate (and logs) every time it is built; what it answers depends on nothing else.
   */
  readonly #identities = new Map<string, ClientIdentity>();

  constructor() {
    for (const Contract of contracts) {
      const contract = new Contract();
      if (this.#defaultContract === '') this.#defaultContract = contract.getName();
      const declared = (Reflect.getMetadata('fabric:transactions', Object.getPrototypeOf(contract) as object) ??
        []) as TransactionMetadata[];
      this.#contracts.set(contract.getName(), { contract, transactions: new Map(declared.map((t) => [t.name, t])) });
    }
  }

  /** True when the function is declared read-only (`@Transaction(false)`). */
  isReadOnly(fn: string): boolean {
    const { contractName, fnName } = this.#split(fn);
    return this.#contracts.get(contractName)?.transactions.get(fnName)?.tag?.includes('EVALUATE') ?? false;
  }

  async execute(request: TransactionRequest, state: VersionedState): Promise<TransactionResult> {
    const { contractName, fnName } = this.#split(request.fn);
    const entry = this.#contracts.get(contractName);
    const method = entry?.transactions.has(fnName)
      ? (entry.contract as unknown as Record<string, TransactionFn>)[fnName]
      : undefined;
    if (entry === undefined || method === undefined) {
      return failure(`You've asked to invoke a function that does not exist: ${request.fn}`);
    }
    const stub = new TransactionStub(state, request);
    try {
      const identity = this.#identity(request);
      const ctx = contextFor(stub, identity);
      const result = await method.call(entry.contract, ctx, ...request.args);
      return {
        status: 200,
        message: '',
        payload: Buffer.from(typeof result === 'string' ? result : result === undefined ? '' : JSON.stringify(result)),
        reads: stub.reads,
        writes: stub.writes,
        event: stub.event,
      };
    } catch (err) {
      return failure(err instanceof Error ? err.message : String(err));
    }
  }

  #identity(request: TransactionRequest): ClientIdentity {
    const key = `${request.invoker.mspId}\n${request.invoker.certificatePem}`;
    let identity = this.#identities.get(key);
    identity ??= new ClientIdentity(creatorOf(request));
    rememberRecent(this.#identities, key, identity, IDENTITIES);
    return identity;
  }

  #split(fn: string): { contractName: string; fnName: string } {
    const at = fn.indexOf(':');
    return at < 0
      ? { contractName: this.#defaultContract, fnName: fn }
      : { contractName: fn.slice(0, at), fnName: fn.slice(at + 1) };
  }
}

function failure(message: string): TransactionResult {
  return { status: 500, message, payload: new Uint8Array(0), reads: [], writes: [], event: null };
}

/** fabric-shim's ClientIdentity reads the creator from the stub, as on a peer. */
function creatorOf(request: TransactionRequest): ChaincodeStub {
  const creator = {
    getChannelID: () => 'meridian',
    getTxID: () => request.txId,
    getCreator: () => ({ mspid: request.invoker.mspId, idBytes: Buffer.from(request.invoker.certificatePem) }),
  };
  return creator as unknown as ChaincodeStub;
}
