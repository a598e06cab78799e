import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerLedger } from '../src/cli/ledger.command.js';
import { LedgerIntegrityError } from '../src/ledger/ledger-integrity-error.js';
import { startGateway } from '../src/main.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';

const GRANT = /* GraphQL */ `
  mutation Grant($input: GrantConsentInput!) {
    grantConsent(input: $input) {
      id
    }
  }
`;
const REVOKE = 'mutation Revoke($id: ID!) { revokeConsent(consentId: $id) { status } }';
const READ = 'query($p: ID!) { patientSummary(patientId: $p, purpose: TREAT) { regions } }';

/** `meridian ledger verify` / `status` against the test gateway's data folder and control plane. */
async function cli(t: TestGateway, command: 'verify' | 'status'): Promise<{ text: string; exitCode: unknown }> {
  const out: string[] = [];
  const program = new Command('meridian').exitOverride();
  registerLedger(program, { loadConfig: () => t.config, out: (line) => out.push(line) });
  process.exitCode = undefined;
  await program.parseAsync(['ledger', command], { from: 'user' });
  const exitCode = process.exitCode;
  process.exitCode = undefined;
  return { text: out.join('\n'), exitCode };
}

describe('the embedded ledger cut back before a revocation', () => {
  let t: TestGateway;
  let control: pg.Client;
  let consentId: string;
  let logFile: string;

  beforeAll(async () => {
    t = await startTestGateway({ patients: 4, env: { MERIDIAN_AUDIT_ANCHOR_INTERVAL_MS: '3600000' } });
    control = new pg.Client({ connectionString: t.databases.get('control')!.url });
    await control.connect();
    logFile = path.join(t.config.dataDir, 'ledger', 'transactions.log');
    const persona = t.demo.personas.find((p) => p.role === 'patient')!;
    const token = await t.token(persona.name);
    const granted = await t.graphql<{ grantConsent: { id: string } }>(
      GRANT,
      { input: { grantee: { kind: 'ANY_TREATING_PROVIDER' }, purposes: ['TREAT'] } },
      token,
    );
    expect(granted.errors).toEqual([]);
    consentId = granted.data!.grantConsent.id;
    const revoked = await t.graphql<{ revokeConsent: { status: string } }>(REVOKE, { id: consentId }, token);
    expect(revoked.data?.revokeConsent.status).toBe('REVOKED');
    // A read after the revocation: its audit event is anchored at shutdown, after the revocation on the ledger.
    await t.graphql(READ, { p: persona.patientId }, await t.token('dr-weber'));
  });
  afterAll(async () => {
    await control.end();
    await t.close();
  });

  it('restarts on an untouched log, and verify says OK with the recorded head', async () => {
    await t.gateway.close();
    const again = await startGateway(t.config, pino({ level: 'silent' }));
    await again.close();
    const verify = await cli(t, 'verify');
    expect(verify.exitCode).toBeUndefined();
    expect(verify.text).toMatch(
      /Recorded heads: #\d+ in the control plane's ledger head checkpoint, #\d+ in the control plane's newest anchored audit batch: the log reaches them/,
    );
    expect(verify.text).toMatch(/OK$/);
  });

  it('refuses to start, and verify and status fail, naming the recorded head and what the log holds', async () => {
    const lines = (await readFile(logFile, 'utf8')).trimEnd().split('\n');
    const revocation = lines.findIndex((l) => {
      const entry = JSON.parse(l) as { fn: string; args: string[] };
      return entry.fn === 'consent:revokeConsent' && entry.args[0] === consentId;
    });
    expect(revocation).toBeGreaterThan(0);
    const recordedHeight = lines.length;
    const kept = lines.slice(0, revocation);
    const keptHash = (JSON.parse(kept.at(-1)!) as { hash: string }).hash;
    // The intruder's edit: a log that ends cleanly before the revocation, and the consent row as before it.
    await writeFile(logFile, `${kept.join('\n')}\n`);
    await control.query("UPDATE consents SET status = 'active', revoked_at = NULL, revoke_tx_id = NULL WHERE id = $1", [
      consentId,
    ]);

    const gap =
      `recorded #${String(recordedHeight)} \\(hash [0-9a-f]{64}\\), found #${String(revocation)} \\(hash ${keptHash}\\); ` +
      `transactions #${String(revocation + 1)}`;
    const start = startGateway(t.config, pino({ level: 'silent' }));
    await expect(start).rejects.toBeInstanceOf(LedgerIntegrityError);
    await expect(start).rejects.toThrow(
      new RegExp(`the log ends before the head recorded in the control plane's ledger head checkpoint: ${gap}`),
    );

    const verify = await cli(t, 'verify');
    expect(verify.exitCode).toBe(1);
    expect(verify.text).toMatch(new RegExp(`^FAILED: .*${gap}`));
    expect(verify.text).not.toMatch(/OK$/);
    const status = await cli(t, 'status');
    expect(status.exitCode).toBe(1);
    expect(status.text).toMatch(new RegExp(`Chain: +NOT VERIFIED: .*${gap}`));
  });

  it('refuses a forged checkpoint, and a deleted one by the newest anchored audit batch', async () => {
    const [row] = (
      await control.query<{ chain: string; signature: string }>(
        "SELECT chain, signature FROM chain_heads WHERE chain LIKE 'ledger:%'",
      )
    ).rows;
    const forged = Buffer.from(row!.signature, 'base64');
    forged[0] = forged[0]! ^ 0xff;
    await control.query('UPDATE chain_heads SET signature = $1 WHERE chain = $2', [
      forged.toString('base64'),
      row!.chain,
    ]);
    await expect(startGateway(t.config, pino({ level: 'silent' }))).rejects.toThrow(
      /the head recorded in the control plane's ledger head checkpoint, #\d+ \(hash [0-9a-f]{64}\), is not signed by this ledger's key/,
    );

    await control.query('DELETE FROM chain_heads WHERE chain = $1', [row!.chain]);
    const [audit] = (
      await control.query<{ anchor_tx_id: string }>("SELECT anchor_tx_id FROM chain_heads WHERE chain = 'audit'")
    ).rows;
    expect(audit?.anchor_tx_id).toMatch(/^[0-9a-f]{64}$/);
    await expect(startGateway(t.config, pino({ level: 'silent' }))).rejects.toThrow(
      new RegExp(
        `the log ends before the head recorded in the control plane's newest anchored audit batch: recorded #\\d+ \\(txid ${audit!.anchor_tx_id}\\)`,
      ),
    );
  });
});
