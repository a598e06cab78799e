import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PolicyContract } from '../src/policy/policy-contract.js';
import { deClinician, deOfficerA, deOfficerB, frOfficer, sha256 } from './fixtures.js';
import { createTestContext, TestWorld, type TestIdentity } from './test-context.js';

const policy = new PolicyContract();
const V1 = sha256('policy DE v1');
const V2 = sha256('policy DE v2');

function as(identity: TestIdentity, world: TestWorld) {
  return createTestContext(identity, world);
}

async function recorded(world: TestWorld, version = '2025.1', hash = V1): Promise<void> {
  await policy.recordPolicyVersion(as(deOfficerA, world), 'DE', version, hash, 'de-co-0001');
}

async function approved(world: TestWorld, version = '2025.1', hash = V1): Promise<void> {
  await recorded(world, version, hash);
  await policy.approvePolicyVersion(as(deOfficerB, world), 'DE', version, 'de-co-0002');
}

describe('PolicyContract', () => {
  it('records, approves and activates a version, and emits PolicyActivated', async () => {
    const world = new TestWorld();
    const rec = JSON.parse(await policy.recordPolicyVersion(as(deOfficerA, world), 'DE', '2025.1', V1, 'de-co-0001'));
    assert.deepEqual(rec, {
      jurisdiction: 'DE',
      version: '2025.1',
      hash: V1,
      status: 'recorded',
      author: 'de-co-0001',
      authorMsp: 'ChariteMSP',
      recordedAt: '2025-01-01T00:00:01.000Z',
    });

    const appr = JSON.parse(await policy.approvePolicyVersion(as(deOfficerB, world), 'DE', '2025.1', 'de-co-0002'));
    assert.equal(appr.status, 'approved');
    assert.equal(appr.approver, 'de-co-0002');
    assert.equal(appr.approverMsp, 'UniklinikMSP');

    const activation = as(deOfficerA, world);
    const act = JSON.parse(await policy.activatePolicyVersion(activation, 'DE', '2025.1'));
    assert.equal(act.status, 'active');
    assert.equal(act.activatedAt, '2025-01-01T00:00:03.000Z');
    assert.deepEqual(activation.event(), {
      name: 'PolicyActivated',
      payload: { jurisdiction: 'DE', version: '2025.1', hash: V1, epoch: 1 },
    });

    const active = JSON.parse(await policy.getActivePolicy(as(deClinician, world), 'DE'));
    assert.deepEqual(active, act);
    assert.deepEqual(JSON.parse(await policy.getPolicyVersion(as(deClinician, world), 'DE', '2025.1')), act);
  });

  it('retires the previous version on activation and keeps the history in order', async () => {
    const world = new TestWorld();
    await approved(world, '2025.1', V1);
    await policy.activatePolicyVersion(as(deOfficerA, world), 'DE', '2025.1');
    await approved(world, '2025.2', V2);
    await policy.activatePolicyVersion(as(deOfficerB, world), 'DE', '2025.2');

    const active = JSON.parse(await policy.getActivePolicy(as(deClinician, world), 'DE'));
    assert.equal(active.version, '2025.2');
    const old = JSON.parse(await policy.getPolicyVersion(as(deClinician, world), 'DE', '2025.1'));
    assert.equal(old.status, 'retired');

    const history = JSON.parse(await policy.getPolicyHistory(as(deClinician, world), 'DE'));
    assert.deepEqual(
      history.map((e: { action: string; version: string; actor: string }) => [e.action, e.version, e.actor]),
      [
        ['recorded', '2025.1', 'de-co-0001'],
        ['approved', '2025.1', 'de-co-0002'],
        ['activated', '2025.1', 'de-co-0001'],
        ['recorded', '2025.2', 'de-co-0001'],
        ['approved', '2025.2', 'de-co-0002'],
        ['activated', '2025.2', 'de-co-0002'],
      ],
    );
    assert.equal(history[5].previousVersion, '2025.1');
    assert.match(history[0].txId, /^tx\d+$/);
  });

  it('activates a retired version again, to roll back', async () => {
    const world = new TestWorld();
    await approved(world, '2025.1', V1);
    await policy.activatePolicyVersion(as(deOfficerA, world), 'DE', '2025.1');
    await approved(world, '2025.2', V2);
    await policy.activatePolicyVersion(as(deOfficerA, world), 'DE', '2025.2');
    const rollback = as(deOfficerB, world);
    await policy.activatePolicyVersion(rollback, 'DE', '2025.1');
    assert.deepEqual(rollback.event()?.payload, { jurisdiction: 'DE', version: '2025.1', hash: V1, epoch: 3 });
    assert.equal(JSON.parse(await policy.getActivePolicy(as(deClinician, world), 'DE')).version, '2025.1');
    assert.equal(JSON.parse(await policy.getPolicyVersion(as(deClinician, world), 'DE', '2025.2')).status, 'retired');
  });

  it("keeps one jurisdiction's history apart from another's", async () => {
    const world = new TestWorld();
    await recorded(world);
    await policy.recordPolicyVersion(as(frOfficer, world), 'FR', '2025.1', V2, 'fr-co-0001');
    const fr = JSON.parse(await policy.getPolicyHistory(as(frOfficer, world), 'FR'));
    assert.deepEqual(
      fr.map((e: { jurisdiction: string }) => e.jurisdiction),
      ['FR'],
    );
  });

  it('refuses approval by the version’s own author', async () => {
    const world = new TestWorld();
    await recorded(world);
    const before = world.snapshot();
    await assert.rejects(policy.approvePolicyVersion(as(deOfficerA, world), 'DE', '2025.1', 'de-co-0001'), {
      code: 'FORBIDDEN',
      message: /other than its author/,
    });
    assert.equal(world.snapshot(), before);
  });

  it('refuses approval by an officer of another jurisdiction', async () => {
    const world = new TestWorld();
    await recorded(world);
    await assert.rejects(policy.approvePolicyVersion(as(frOfficer, world), 'DE', '2025.1', 'fr-co-0001'), {
      code: 'FORBIDDEN',
      message: /meridian\.jurisdiction must be DE/,
    });
  });

  it('refuses approval by someone who is not a compliance officer', async () => {
    const world = new TestWorld();
    await recorded(world);
    await assert.rejects(policy.approvePolicyVersion(as(deClinician, world), 'DE', '2025.1', 'de-dr-0009'), {
      code: 'FORBIDDEN',
      message: /meridian\.role=compliance_officer/,
    });
  });

  it('refuses approval in another officer’s name', async () => {
    const world = new TestWorld();
    await recorded(world);
    await assert.rejects(policy.approvePolicyVersion(as(deOfficerB, world), 'DE', '2025.1', 'de-co-0003'), {
      code: 'FORBIDDEN',
      message: /argument 'approver' must be the invoker's own meridian\.user/,
    });
  });

  it('refuses recording in another officer’s name, or for another jurisdiction', async () => {
    const world = new TestWorld();
    await assert.rejects(policy.recordPolicyVersion(as(deOfficerA, world), 'DE', '2025.1', V1, 'de-co-0002'), {
      code: 'FORBIDDEN',
      message: /argument 'author'/,
    });
    await assert.rejects(policy.recordPolicyVersion(as(frOfficer, world), 'DE', '2025.1', V1, 'fr-co-0001'), {
      code: 'FORBIDDEN',
    });
    assert.equal(world.state.size, 0);
  });

  it('refuses to activate a version that is not approved', async () => {
    const world = new TestWorld();
    await recorded(world);
    const before = world.snapshot();
    const ctx = as(deOfficerB, world);
    await assert.rejects(policy.activatePolicyVersion(ctx, 'DE', '2025.1'), {
      code: 'CONFLICT',
      message: /is not approved/,
    });
    assert.equal(ctx.event(), undefined);
    assert.equal(world.snapshot(), before);
    await assert.rejects(policy.getActivePolicy(as(deClinician, world), 'DE'), { code: 'NOT_FOUND' });
  });

  it('refuses activation by a non-officer, and re-activation of the active version', async () => {
    const world = new TestWorld();
    await approved(world);
    await assert.rejects(policy.activatePolicyVersion(as(deClinician, world), 'DE', '2025.1'), { code: 'FORBIDDEN' });
    await policy.activatePolicyVersion(as(deOfficerA, world), 'DE', '2025.1');
    await assert.rejects(policy.activatePolicyVersion(as(deOfficerA, world), 'DE', '2025.1'), {
      code: 'CONFLICT',
      message: /already active/,
    });
  });

  it('refuses to record the same version twice or approve it twice', async () => {
    const world = new TestWorld();
    await approved(world);
    await assert.rejects(policy.recordPolicyVersion(as(deOfficerA, world), 'DE', '2025.1', V2, 'de-co-0001'), {
      code: 'CONFLICT',
    });
    await assert.rejects(policy.approvePolicyVersion(as(deOfficerB, world), 'DE', '2025.1', 'de-co-0002'), {
      code: 'CONFLICT',
      message: /already approved/,
    });
  });

  it('answers NOT_FOUND for an unknown version', async () => {
    await assert.rejects(policy.getPolicyVersion(as(deClinician, new TestWorld()), 'DE', '9'), {
      code: 'NOT_FOUND',
      message: /policy DE version 9 is not recorded/,
    });
  });
});
