import type { FabricConfig } from '../config/config.js';
import { FabricLedger } from '../ledger/fabric-ledger.js';
import { openLedger } from '../ledger/open-ledger.js';

/** `meridian ledger status` with a Fabric peer configured: its answer, and whether all is well. */
export async function fabricStatus(fabric: FabricConfig): Promise<{ ok: boolean; lines: string[] }> {
  const lines = [
    `Ledger:        Fabric, peer ${fabric.peerEndpoint}, channel ${fabric.channel}, chaincode ${fabric.chaincode}`,
  ];
  let ledger;
  try {
    ledger = await openLedger({ fabric, dataDir: '' });
  } catch (err) {
    lines.push(`Identity:      CANNOT BE READ: ${err instanceof Error ? err.message : String(err)}`);
    return { ok: false, lines };
  }
  try {
    if (!(ledger instanceof FabricLedger)) throw new Error('a Fabric configuration opened another ledger');
    const status = await ledger.channelStatus();
    lines.push(`Peer:          answering; channel ${status.channel} has ${String(status.height)} blocks`);
    lines.push(`Identity:      ${status.mspId} (the gateway's own, accepted by the peer)`);
    if (status.chaincode === null) {
      lines.push(`Chaincode:     NOT DEFINED: no definition of ${fabric.chaincode} is committed on ${status.channel}`);
      return { ok: false, lines };
    }
    const { version, sequence, approvals } = status.chaincode;
    const approved = Object.entries(approvals)
      .map(([msp, yes]) => `${msp}${yes ? '' : ' (not approved)'}`)
      .join(', ');
    lines.push(`Chaincode:     ${fabric.chaincode} ${version}, sequence ${String(sequence)}, approved by ${approved}`);
    lines.push('Chain:         kept and validated by the Fabric peers (no local verification)');
    return { ok: true, lines };
  } catch (err) {
    lines.push(`Peer:          NOT ANSWERING: ${err instanceof Error ? err.message : String(err)}`);
    return { ok: false, lines };
  } finally {
    await ledger.close();
  }
}
