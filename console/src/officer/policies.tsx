import { useState, type ReactNode } from 'react';
import { graphql } from '../api.js';
import type { Session } from '../app.js';
import { Show, TxId, useLoad, when } from '../components.js';
import { DraftEditor } from './draft-editor.js';
import { PolicyReview } from './policy-review.js';

export interface PolicyVersion {
  jurisdiction: string;
  version: string;
  status: string;
  document: Record<string, unknown> | null;
  contentHash: string;
  author: string;
  approver: string | null;
  createdAt: string;
  approvedAt: string | null;
  activatedAt: string | null;
  recordTxId: string;
  approveTxId: string | null;
  activateTxId: string | null;
}

export const VERSION_FIELDS = `jurisdiction version status document contentHash author approver createdAt approvedAt
  activatedAt recordTxId approveTxId activateTxId`;

interface ActivePolicies {
  policies: { jurisdiction: string; version: string; hash: string; activateTxId: string }[];
  violations: { subject: string; message: string }[];
}

/** Active policies with their anchors and violations; per jurisdiction its history, a draft editor and the review steps. */
export function Policies({ session }: { session: Session }): ReactNode {
  const [active, reloadActive] = useLoad(
    () =>
      graphql<{ activePolicies: ActivePolicies }>(
        session.token,
        '{ activePolicies { policies { jurisdiction version hash activateTxId } violations { subject message } } }',
      ),
    [session.token],
  );
  const [jurisdiction, setJurisdiction] = useState('');
  return (
    <>
      <section aria-labelledby="active-heading">
        <h2 id="active-heading">Active policies</h2>
        <Show loaded={active} what="the active policies">
          {({ activePolicies }) => (
            <>
              {activePolicies.violations.length > 0 && (
                <div role="alert" className="error">
                  <p>Integrity violations: these jurisdictions have no policy in force.</p>
                  <ul>
                    {activePolicies.violations.map((v, i) => (
                      <li key={i}>
                        {v.subject}: {v.message}
                      </li>
                    ))}
                  </ul>
                </div>
              )}
              <div className="scroll" tabIndex={0}>
                <table>
                  <caption className="visually-hidden">Active policy versions, verified against the ledger</caption>
                  <thead>
                    <tr>
                      <th scope="col">Policy</th>
                      <th scope="col">Version</th>
                      <th scope="col">Content hash</th>
                      <th scope="col">Activated in ledger transaction</th>
                    </tr>
                  </thead>
                  <tbody>
                    {activePolicies.policies.map((p) => (
                      <tr key={p.jurisdiction}>
                        <td>{p.jurisdiction}</td>
                        <td>{p.version}</td>
                        <td>
                          <TxId id={p.hash} />
                        </td>
                        <td>
                          <TxId id={p.activateTxId} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <div className="row">
                <label htmlFor="jurisdiction">Work on the policy of</label>
                <select
                  id="jurisdiction"
                  value={jurisdiction}
                  onChange={(e) => {
                    setJurisdiction(e.target.value);
                  }}
                >
                  <option value="">Choose a policy</option>
                  {activePolicies.policies.map((p) => (
                    <option key={p.jurisdiction} value={p.jurisdiction}>
                      {p.jurisdiction}
                    </option>
                  ))}
                </select>
              </div>
            </>
          )}
        </Show>
      </section>
      {jurisdiction !== '' && (
        <PolicyWork key={jurisdiction} session={session} jurisdiction={jurisdiction} onActivated={reloadActive} />
      )}
    </>
  );
}

function PolicyWork({
  session,
  jurisdiction,
  onActivated,
}: {
  session: Session;
  jurisdiction: string;
  onActivated: () => void;
}): ReactNode {
  const [history, reload] = useLoad(
    () =>
      graphql<{ policyHistory: PolicyVersion[] }>(
        session.token,
        `query ($j: String!) { policyHistory(jurisdiction: $j) { ${VERSION_FIELDS} } }`,
        { j: jurisdiction },
      ),
    [session.token, jurisdiction],
  );
  const [selected, setSelected] = useState<string | null>(null);
  return (
    <Show loaded={history} what={`the history of ${jurisdiction}`}>
      {({ policyHistory }) => {
        const activeVersion = policyHistory.find((v) => v.status === 'ACTIVE');
        const chosen = policyHistory.find((v) => v.version === selected);
        return (
          <>
            <section aria-labelledby="history-heading">
              <h2 id="history-heading">History of {jurisdiction}</h2>
              <HistoryTable versions={policyHistory} onReview={setSelected} />
            </section>
            {chosen !== undefined && (
              <PolicyReview
                key={chosen.version}
                session={session}
                version={chosen}
                onChanged={() => {
                  reload();
                  onActivated();
                }}
              />
            )}
            {activeVersion?.document != null && (
              <DraftEditor
                session={session}
                active={activeVersion}
                onSaved={(version) => {
                  reload();
                  setSelected(version);
                }}
              />
            )}
          </>
        );
      }}
    </Show>
  );
}

function HistoryTable({
  versions,
  onReview,
}: {
  versions: PolicyVersion[];
  onReview: (version: string) => void;
}): ReactNode {
  return (
    <div className="scroll" tabIndex={0}>
      <table>
        <caption className="visually-hidden">Policy versions, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Status</th>
            <th scope="col">Author</th>
            <th scope="col">Approver</th>
            <th scope="col">Drafted</th>
            <th scope="col">Activated</th>
            <th scope="col">Ledger</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.version} data-version={v.version}>
              <td>{v.version}</td>
              <td>
                <span className={`badge ${v.status.toLowerCase()}`}>{v.status}</span>
              </td>
              <td>{v.author}</td>
              <td>{v.approver ?? '—'}</td>
              <td>{when(v.createdAt)}</td>
              <td>{when(v.activatedAt)}</td>
              <td>
                drafted <TxId id={v.recordTxId} />
                {v.approveTxId !== null && (
                  <>
                    <br />
                    approved <TxId id={v.approveTxId} />
                  </>
                )}
                {v.activateTxId !== null && (
                  <>
                    <br />
                    activated <TxId id={v.activateTxId} />
                  </>
                )}
              </td>
              <td>
                {(v.status === 'DRAFT' || v.status === 'APPROVED') && (
                  <button type="button" onClick={() => onReview(v.version)}>
                    Review<span className="visually-hidden"> version {v.version}</span>
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
