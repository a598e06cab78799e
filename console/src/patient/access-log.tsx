import { useState, type ReactNode } from 'react';
import {
  ACCESS_LOG_FIELDS,
  AccessLogTable,
  IntegrityNote,
  type AccessLogEntry,
  type AccessLogPage,
} from '../access-log-table.js';
import { graphql } from '../api.js';
import type { Session } from '../app.js';
import { Outcome, Show, useAction, useLoad } from '../components.js';

const QUERY = `query ($after: String) { myAccessLog(first: 50, after: $after) { ${ACCESS_LOG_FIELDS} } }`;

/** Who looked at my data: every decision on the patient's data, denials and break-glass included. */
export function MyAccessLog({ session }: { session: Session }): ReactNode {
  const [more, setMore] = useState<AccessLogEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [state, run] = useAction();
  const [first] = useLoad(async () => {
    const { myAccessLog } = await graphql<{ myAccessLog: AccessLogPage }>(session.token, QUERY);
    setCursor(myAccessLog.pageInfo.hasNextPage ? myAccessLog.pageInfo.endCursor : null);
    setMore([]);
    return myAccessLog;
  }, [session.token]);
  const loadMore = (): Promise<boolean> =>
    run(async () => {
      const { myAccessLog } = await graphql<{ myAccessLog: AccessLogPage }>(session.token, QUERY, { after: cursor });
      setMore((prev) => [...prev, ...myAccessLog.edges.map((e) => e.node)]);
      setCursor(myAccessLog.pageInfo.hasNextPage ? myAccessLog.pageInfo.endCursor : null);
      return `${myAccessLog.edges.length} more decisions loaded.`;
    });
  return (
    <Show loaded={first} what="your access log">
      {(page) => (
        <>
          <p>Every request for your data, permitted or refused. Emergency (break-glass) accesses are highlighted.</p>
          <IntegrityNote integrity={page.integrity} />
          <AccessLogTable
            entries={[...page.edges.map((e) => e.node), ...more]}
            caption="Access decisions on your data, newest first"
          />
          {cursor !== null && (
            <button type="button" onClick={() => void loadMore()} disabled={state.kind === 'busy'}>
              Load older decisions
            </button>
          )}
          <Outcome state={state} busyText="Loading…" />
        </>
      )}
    </Show>
  );
}
