import { useState, type ReactNode } from 'react';
import { graphql } from './api.js';
import type { Session } from './app.js';
import { Outcome, useAction } from './components.js';

interface Verification {
  valid: boolean;
  decisionId: string;
  batchId: string | null;
  checks: { subject: string; ok: boolean; detail: string }[];
}

/** Proves a disclosure receipt (decision id and audit hash) against the ledger. */
export function VerifyReceipt({ session }: { session: Session }): ReactNode {
  const [decisionId, setDecisionId] = useState('');
  const [auditHash, setAuditHash] = useState('');
  const [result, setResult] = useState<Verification | null>(null);
  const [state, run] = useAction();
  const submit = (): Promise<boolean> =>
    run(async () => {
      setResult(null);
      const { verifyDisclosure } = await graphql<{ verifyDisclosure: Verification }>(
        session.token,
        `
          query ($r: DisclosureReceiptInput!) {
            verifyDisclosure(receipt: $r) {
              valid
              decisionId
              batchId
              checks {
                subject
                ok
                detail
              }
            }
          }
        `,
        { r: { decisionId: decisionId.trim(), auditHash: auditHash.trim() } },
      );
      setResult(verifyDisclosure);
      return verifyDisclosure.valid ? 'The receipt verifies against the ledger.' : 'The receipt does NOT verify.';
    });
  return (
    <>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div className="row">
          <label htmlFor="decision-id">Decision id</label>
          <input id="decision-id" value={decisionId} required onChange={(e) => setDecisionId(e.target.value)} />
        </div>
        <div className="row">
          <label htmlFor="audit-hash">Audit hash</label>
          <input id="audit-hash" value={auditHash} required onChange={(e) => setAuditHash(e.target.value)} />
        </div>
        <button type="submit" disabled={state.kind === 'busy'}>
          Verify
        </button>
      </form>
      <Outcome state={state} busyText="Checking against the ledger…" />
      {result !== null && (
        <table>
          <caption>
            Checks for decision {result.decisionId}
            {result.batchId !== null ? ` (batch ${result.batchId})` : ''}
          </caption>
          <thead>
            <tr>
              <th scope="col">Subject</th>
              <th scope="col">Result</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {result.checks.map((c, i) => (
              <tr key={i}>
                <td>{c.subject}</td>
                <td>{c.ok ? 'ok' : 'FAILED'}</td>
                <td>{c.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
