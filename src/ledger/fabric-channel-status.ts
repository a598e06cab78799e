import type { Network } from '@hyperledger/fabric-gateway';
import { common, peer } from '@hyperledger/fabric-protos';

/** The chaincode definition committed on the channel, as `peer lifecycle chaincode querycommitted` shows it. */
export interface CommittedChaincode {
  readonly name: string;
  readonly version: string;
  readonly sequence: number;
  /** Each organisation's approval of this definition. */
  readonly approvals: Readonly<Record<string, boolean>>;
}

/** What a Fabric peer says about Meridian's channel, asked as the gateway's own identity. */
export interface FabricChannelStatus {
  readonly channel: string;
  /** Blocks on the peer's copy of the channel. */
  readonly height: bigint;
  /** null: no definition of the chaincode is committed on the channel. */
  readonly chaincode: CommittedChaincode | null;
  /** The MSP of the identity the peer accepted (the gateway's own). */
  readonly mspId: string;
}

/**
 * Asks the peer for the channel's height (qscc GetChainInfo) and the chaincode's committed
 * definition (_lifecycle QueryChaincodeDefinition). Rejects with whatever fabric-gateway threw.
 */
export async function queryChannelStatus(
  network: Network,
  chaincode: string,
  mspId: string,
): Promise<FabricChannelStatus> {
  const channel = network.getName();
  const info = common.BlockchainInfo.deserializeBinary(
    await network.getContract('qscc').evaluateTransaction('GetChainInfo', channel),
  );
  const args = new peer.lifecycle.QueryChaincodeDefinitionArgs();
  args.setName(chaincode);
  let definition: peer.lifecycle.QueryChaincodeDefinitionResult | null = null;
  try {
    definition = peer.lifecycle.QueryChaincodeDefinitionResult.deserializeBinary(
      await network.getContract('_lifecycle').evaluateTransaction('QueryChaincodeDefinition', args.serializeBinary()),
    );
  } catch (err) {
    // The peer answers a chaincode with no committed definition with this refusal.
    if (!/namespace \S+ is not defined/.test(detailsOf(err))) throw err;
  }
  return {
    channel,
    height: BigInt(info.getHeight()),
    chaincode:
      definition === null
        ? null
        : {
            name: chaincode,
            version: definition.getVersion(),
            sequence: definition.getSequence(),
            approvals: Object.fromEntries(definition.getApprovalsMap().toArray()),
          },
    mspId,
  };
}

function detailsOf(err: unknown): string {
  const details = (err as { details?: { message: string }[] }).details ?? [];
  return [err instanceof Error ? err.message : String(err), ...details.map((detail) => detail.message)].join('; ');
}
