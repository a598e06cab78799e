import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ledgerOf, txTime, type LedgerKV } from '../src/ledger/ledger-context.js';
import { createTestContext, TestWorld } from './test-context.js';

async function keys(items: AsyncIterable<LedgerKV>): Promise<string[]> {
  const out: string[] = [];
  for await (const kv of items) out.push(kv.key);
  return out;
}

// The helper stands in for a peer; these pin the peer behaviour the contracts rely on.
describe('createTestContext', () => {
  it('returns empty bytes for a missing key, as a peer does', async () => {
    const { stub } = ledgerOf(createTestContext({ mspId: 'Org1MSP' }));
    assert.equal((await stub.getState('missing')).length, 0);
  });

  it('keeps composite keys out of range queries and matches partial keys on whole attributes', async () => {
    const world = new TestWorld();
    const { stub } = ledgerOf(createTestContext({ mspId: 'Org1MSP' }, world));
    const v = Buffer.from('1');
    await stub.putState('a', v);
    await stub.putState('b', v);
    await stub.putState(stub.createCompositeKey('t', ['x', '1']), v);
    await stub.putState(stub.createCompositeKey('t', ['x1', '1']), v);
    assert.deepEqual(await keys(stub.getStateByRange('', '')), ['a', 'b']);
    assert.deepEqual(await keys(stub.getStateByRange('a', 'b')), ['a']);
    assert.deepEqual(await keys(stub.getStateByPartialCompositeKey('t', ['x'])), [
      stub.createCompositeKey('t', ['x', '1']),
    ]);
    await stub.deleteState('a');
    assert.deepEqual(await keys(stub.getStateByRange('', '')), ['b']);
  });

  it('gives each transaction its own id and a later timestamp, and reads attributes', () => {
    const world = new TestWorld();
    const first = createTestContext({ mspId: 'Org1MSP', attributes: { 'meridian.user': 'u1' } }, world);
    const second = createTestContext({ mspId: 'Org1MSP' }, world);
    assert.notEqual(first.txId, second.txId);
    assert.equal(txTime(ledgerOf(first).stub), '2025-01-01T00:00:01.000Z');
    assert.equal(txTime(ledgerOf(second).stub), '2025-01-01T00:00:02.000Z');
    const identity = ledgerOf(first).identity;
    assert.equal(identity.getMSPID(), 'Org1MSP');
    assert.equal(identity.getAttributeValue('meridian.user'), 'u1');
    assert.equal(identity.getAttributeValue('meridian.role'), null);
  });
});
