import { ledger } from '@hyperledger/fabric-protos';
import type { ReadRecord, WriteRecord } from '../../../src/ledger/chaincode-executor.js';
import { formatVersion, parseVersion } from './world-state.js';

const { TxReadWriteSet, NsReadWriteSet } = ledger.rwset;
const { KVRWSet, KVRead, KVWrite, Version } = ledger.rwset.kvrwset;

/** One chaincode namespace's reads and writes, as the committer validates and applies them. */
export interface ReadWriteSet {
  readonly reads: readonly ReadRecord[];
  readonly writes: readonly WriteRecord[];
}

/** Encodes a simulation's reads and writes as Fabric's TxReadWriteSet (KV data model, one namespace). */
export function encodeReadWriteSet(namespace: string, rwset: ReadWriteSet): Uint8Array {
  const kv = new KVRWSet();
  kv.setReadsList(rwset.reads.map(encodeRead));
  kv.setWritesList(rwset.writes.map(encodeWrite));
  const ns = new NsReadWriteSet();
  ns.setNamespace(namespace);
  ns.setRwset(kv.serializeBinary());
  const tx = new TxReadWriteSet();
  tx.setDataModel(TxReadWriteSet.DataModel.KV);
  tx.setNsRwsetList([ns]);
  return tx.serializeBinary();
}

/** The reads and writes of `namespace` in a serialized TxReadWriteSet; other namespaces are ignored. */
export function decodeReadWriteSet(bytes: Uint8Array, namespace: string): ReadWriteSet {
  const reads: ReadRecord[] = [];
  const writes: WriteRecord[] = [];
  for (const ns of TxReadWriteSet.deserializeBinary(bytes).getNsRwsetList()) {
    if (ns.getNamespace() !== namespace) {
      continue;
    }
    const kv = KVRWSet.deserializeBinary(ns.getRwset_asU8());
    for (const read of kv.getReadsList()) {
      const version = read.getVersion();
      reads.push({
        key: read.getKey(),
        version: version ? formatVersion({ blockNumber: version.getBlockNum(), txNumber: version.getTxNum() }) : null,
      });
    }
    for (const write of kv.getWritesList()) {
      writes.push({ key: write.getKey(), value: write.getIsDelete() ? null : write.getValue_asU8() });
    }
  }
  return { reads, writes };
}

function encodeRead(read: ReadRecord): ledger.rwset.kvrwset.KVRead {
  const result = new KVRead();
  result.setKey(read.key);
  // A read of a missing key carries no version, which is how Fabric records it.
  if (read.version !== null) {
    const height = parseVersion(read.version);
    const version = new Version();
    version.setBlockNum(height.blockNumber);
    version.setTxNum(height.txNumber);
    result.setVersion(version);
  }
  return result;
}

function encodeWrite(write: WriteRecord): ledger.rwset.kvrwset.KVWrite {
  const result = new KVWrite();
  result.setKey(write.key);
  if (write.value === null) {
    result.setIsDelete(true);
  } else {
    result.setValue(write.value);
  }
  return result;
}
