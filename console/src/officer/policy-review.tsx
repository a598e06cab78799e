import { useState, type ReactNode } from 'react';
import { graphql } from '../api.js';
import type { Session } from '../app.js';
import { Outcome, useAction } from '../components.js';
import type { PolicyVersion } from './policies.js';

interface PolicyDiff {
  activeVersion: string | null;
  changes: { path: string; before: string | null; after: string | null }[];
}

interface Simulation {
  replayed: number;
  skipped: number;
  changed: {
    decisionId: string;
    at: string;
    requesterOrg: string;
    requesterJurisdiction: string;
    purpose: string;
    patientId: string;
    before: SimulatedDecision;
    after: SimulatedDecision;
  }[];
}

interface SimulatedDecision {
  outcome: string;
  regions: { region: string; outcome: string; code: string | null }[];
}

function decisionText(d: SimulatedDecision): string {
  const regions = d.regions.map((r) => `${r.region} ${r.outcome}${r.code !== null ? ` (${r.code})` : ''}`);
  return `${d.outcome}: ${regions.join(', ')}`;
}

/** A draft or approved version: its diff against the active one, a simulation, approval and activation. */
export function PolicyReview({
  session,
  version: v,
  onChanged,
}: {
  session: Session;
  version: PolicyVersion;
  onChanged: () => void;
}): ReactNode {
  const vars = { j: v.jurisdiction, v: v.version };
  const [diffState, runDiff] = useAction();
  const [simState, runSim] = useAction();
  const [stepState, runStep] = useAction();
  const [diff, setDiff] = useState<PolicyDiff | null>(null);
  const [sim, setSim] = useState<Simulation | null>(null);
  const step = async (mutation: 'approvePolicy' | 'activatePolicy'): Promise<void> => {
    const ok = await runStep(async () => {
      const result = await graphql<Record<string, PolicyVersion>>(
        session.token,
        `mutation ($j: String!, $v: String!) { ${mutation}(jurisdiction: $j, version: $v) { version status approveTxId activateTxId } }`,
        vars,
      );
      const done = result[mutation];
      return mutation === 'approvePolicy'
        ? `Version ${done?.version ?? ''} approved (${done?.status ?? ''}); ledger transaction ${done?.approveTxId ?? '—'}.`
        : `Version ${done?.version ?? ''} activated (${done?.status ?? ''}); ledger transaction ${done?.activateTxId ?? '—'}.`;
    });
    if (ok) onChanged();
  };
  return (
    <section aria-labelledby="review-heading">
      <h2 id="review-heading">
        Review {v.jurisdiction} {v.version} ({v.status}, drafted by {v.author})
      </h2>
      <div className="actions">
        <button
          type="button"
          onClick={() =>
            void runDiff(async () => {
              const { policyDiff } = await graphql<{ policyDiff: PolicyDiff }>(
                session.token,
                'query ($j: String!, $v: String!) { policyDiff(jurisdiction: $j, version: $v) { activeVersion changes { path before after } } }',
                vars,
              );
              setDiff(policyDiff);
              return `${policyDiff.changes.length} change(s) against the active version ${policyDiff.activeVersion ?? '(none)'}.`;
            })
          }
        >
          Show diff
        </button>
        <button
          type="button"
          onClick={() =>
            void runSim(async () => {
              const { simulatePolicy } = await graphql<{ simulatePolicy: Simulation }>(
                session.token,
                `
                  query ($j: String!, $v: String!) {
                    simulatePolicy(jurisdiction: $j, version: $v, recent: 500) {
                      replayed
                      skipped
                      changed {
                        decisionId
                        at
                        requesterOrg
                        requesterJurisdiction
                        purpose
                        patientId
                        before {
                          outcome
                          regions {
                            region
                            outcome
                            code
                          }
                        }
                        after {
                          outcome
                          regions {
                            region
                            outcome
                            code
                          }
                        }
                      }
                    }
                  }
                `,
                vars,
              );
              setSim(simulatePolicy);
              return `Replayed ${simulatePolicy.replayed} recent requests: ${simulatePolicy.changed.length} decision(s) would change.`;
            })
          }
        >
          Simulate on recent requests
        </button>
        {v.status === 'DRAFT' && (
          <button type="button" onClick={() => void step('approvePolicy')}>
            Approve
          </button>
        )}
        {v.status === 'APPROVED' && (
          <button type="button" onClick={() => void step('activatePolicy')}>
            Activate
          </button>
        )}
      </div>
      <Outcome state={stepState} busyText="Anchoring on the ledger…" />
      <Outcome state={diffState} busyText="Comparing…" />
      {diff !== null && (
        <div className="scroll" tabIndex={0}>
          <table>
            <caption>Changes against the active version</caption>
            <thead>
              <tr>
                <th scope="col">Path</th>
                <th scope="col">Active</th>
                <th scope="col">This version</th>
              </tr>
            </thead>
            <tbody>
              {diff.changes.map((c) => (
                <tr key={c.path}>
                  <td>
                    <code>{c.path}</code>
                  </td>
                  <td className="before">{c.before ?? '(absent)'}</td>
                  <td className="after">{c.after ?? '(absent)'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Outcome state={simState} busyText="Replaying recent requests…" />
      {sim !== null && sim.changed.length > 0 && (
        <div className="scroll" tabIndex={0}>
          <table>
            <caption>Decisions that would change</caption>
            <thead>
              <tr>
                <th scope="col">Decision</th>
                <th scope="col">Requester</th>
                <th scope="col">Purpose</th>
                <th scope="col">Patient</th>
                <th scope="col">Now</th>
                <th scope="col">With this version</th>
              </tr>
            </thead>
            <tbody>
              {sim.changed.map((c) => (
                <tr key={c.decisionId}>
                  <td>
                    <code>{c.decisionId}</code>
                  </td>
                  <td>
                    {c.requesterOrg} ({c.requesterJurisdiction})
                  </td>
                  <td>{c.purpose}</td>
                  <td>{c.patientId}</td>
                  <td>{decisionText(c.before)}</td>
                  <td>{decisionText(c.after)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
