import type { ReactNode } from 'react';
import { when } from './components.js';

export interface AccessLogEntry {
  decisionId: string;
  at: string;
  organisationId: string;
  organisationName: string | null;
  jurisdiction: string;
  purpose: string;
  operation: string;
  outcome: string;
  breakGlass: boolean;
  justification: string | null;
  reviewedAt: string | null;
  reviewedBy: string | null;
  reasons: string[];
  withheldLabels: string[];
  patientId: string | null;
}

export interface AccessLogPage {
  edges: { cursor: string; node: AccessLogEntry }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  integrity: { ok: boolean; problems: { kind: string; detail: string }[] };
}

export const ACCESS_LOG_FIELDS = `edges { cursor node { decisionId at organisationId organisationName jurisdiction purpose
  operation outcome breakGlass justification reviewedAt reviewedBy reasons withheldLabels patientId } }
  pageInfo { hasNextPage endCursor } integrity { ok problems { kind detail } }`;

/** Access decisions as a table: denials and break-glass accesses stand out, with the justification. */
export function AccessLogTable({
  entries,
  caption,
  showPatient = false,
  action,
}: {
  entries: readonly AccessLogEntry[];
  caption: string;
  showPatient?: boolean;
  action?: (entry: AccessLogEntry) => ReactNode;
}): ReactNode {
  if (entries.length === 0) return <p>No access decisions to show.</p>;
  return (
    <div className="scroll" tabIndex={0}>
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            {showPatient && <th scope="col">Patient</th>}
            <th scope="col">Purpose</th>
            <th scope="col">Outcome</th>
            <th scope="col">Why</th>
            {action && <th scope="col">Review</th>}
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.decisionId} className={e.breakGlass ? 'break-glass' : undefined} data-decision={e.decisionId}>
              <td>{when(e.at)}</td>
              <td>
                {e.organisationName ?? e.organisationId} ({e.jurisdiction})
              </td>
              {showPatient && <td>{e.patientId ?? '—'}</td>}
              <td>{e.purpose}</td>
              <td>
                <span className={`badge ${e.outcome.toLowerCase()}`}>{e.outcome}</span>
                {e.breakGlass && <strong className="badge break-glass-flag">Break-glass</strong>}
              </td>
              <td>
                {e.breakGlass && e.justification !== null && (
                  <p className="justification">Justification: “{e.justification}”</p>
                )}
                {e.reasons.length > 0 && <p>{e.reasons.join(', ')}</p>}
                {e.withheldLabels.length > 0 && <p>Withheld labels: {e.withheldLabels.join(', ')}</p>}
                {e.reviewedAt !== null && (
                  <p>
                    Reviewed {when(e.reviewedAt)} by {e.reviewedBy ?? '?'}
                  </p>
                )}
              </td>
              {action && <td>{action(e)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** What the page's evidence says about the log's integrity. */
export function IntegrityNote({ integrity }: { integrity: AccessLogPage['integrity'] }): ReactNode {
  if (integrity.ok) return <p className="ok">The audit chain behind this page is intact.</p>;
  return (
    <div role="alert" className="error">
      <p>The audit chain behind this page has problems:</p>
      <ul>
        {integrity.problems.map((p, i) => (
          <li key={i}>
            {p.kind}: {p.detail}
          </li>
        ))}
      </ul>
    </div>
  );
}
