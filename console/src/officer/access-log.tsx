import { useState, type ReactNode } from 'react';
import { ACCESS_LOG_FIELDS, AccessLogTable, IntegrityNote, type AccessLogPage } from '../access-log-table.js';
import { graphql } from '../api.js';
import type { Session } from '../app.js';
import { Show, useLoad } from '../components.js';
import { PURPOSES } from '../vocabulary.js';

/** Decisions on requests from the officer's jurisdiction, filtered by the API (newest 100 that match). */
export function OfficerAccessLog({ session }: { session: Session }): ReactNode {
  const [since, setSince] = useState('');
  const [outcome, setOutcome] = useState('');
  const [purpose, setPurpose] = useState('');
  const [breakGlassOnly, setBreakGlassOnly] = useState(false);
  const [log] = useLoad(async () => {
    // What the answer was asked for travels with it: while a changed filter loads, the status
    // still describes the rows on screen.
    const matching = describeFilters({ since, outcome, purpose, breakGlassOnly });
    const answer = await graphql<{ accessLog: AccessLogPage }>(
      session.token,
      `query ($since: DateTimeISO, $filter: AccessLogFilter) { accessLog(first: 100, since: $since, filter: $filter) { ${ACCESS_LOG_FIELDS} } }`,
      {
        ...(since === '' ? {} : { since: `${since}T00:00:00Z` }),
        filter: {
          ...(outcome === '' ? {} : { outcome }),
          ...(purpose === '' ? {} : { purpose }),
          ...(breakGlassOnly ? { breakGlass: true } : {}),
        },
      },
    );
    return { ...answer, matching };
  }, [session.token, since, outcome, purpose, breakGlassOnly]);
  return (
    <>
      <form className="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        <div className="row">
          <label htmlFor="since">Since (UTC)</label>
          <input id="since" type="date" value={since} onChange={(e) => setSince(e.target.value)} />
        </div>
        <div className="row">
          <label htmlFor="outcome">Outcome</label>
          <select id="outcome" value={outcome} onChange={(e) => setOutcome(e.target.value)}>
            <option value="">Any</option>
            <option value="PERMIT">PERMIT</option>
            <option value="PARTIAL">PARTIAL</option>
            <option value="DENY">DENY</option>
          </select>
        </div>
        <div className="row">
          <label htmlFor="purpose-filter">Purpose</label>
          <select id="purpose-filter" value={purpose} onChange={(e) => setPurpose(e.target.value)}>
            <option value="">Any</option>
            {PURPOSES.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </div>
        <span className="check">
          <input
            id="break-glass-only"
            type="checkbox"
            checked={breakGlassOnly}
            onChange={(e) => setBreakGlassOnly(e.target.checked)}
          />
          <label htmlFor="break-glass-only">Break-glass only</label>
        </span>
      </form>
      <Show loaded={log} what="the access log">
        {({ accessLog, matching }) => {
          const entries = accessLog.edges.map((e) => e.node);
          return (
            <>
              <IntegrityNote integrity={accessLog.integrity} />
              <p role="status">
                {entries.length} decisions shown{matching === '' ? '' : ` (${matching})`}
                {accessLog.pageInfo.hasNextPage ? ', the newest 100 that match' : ''}.
              </p>
              <AccessLogTable
                entries={entries}
                caption="Access decisions of your jurisdiction, newest first"
                showPatient
              />
            </>
          );
        }}
      </Show>
    </>
  );
}

/** The filters in words, '' when none narrows the log: "break-glass only, outcome DENY". */
function describeFilters(f: { since: string; outcome: string; purpose: string; breakGlassOnly: boolean }): string {
  return [
    f.breakGlassOnly ? 'break-glass only' : '',
    f.outcome === '' ? '' : `outcome ${f.outcome}`,
    f.purpose === '' ? '' : `purpose ${f.purpose}`,
    f.since === '' ? '' : `since ${f.since}`,
  ]
    .filter((part) => part !== '')
    .join(', ');
}
