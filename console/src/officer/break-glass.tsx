import type { ReactNode } from 'react';
import { ACCESS_LOG_FIELDS, AccessLogTable, type AccessLogEntry, type AccessLogPage } from '../access-log-table.js';
import { graphql } from '../api.js';
import type { Session } from '../app.js';
import { Outcome, Show, useAction, useLoad } from '../components.js';

/** Break-glass accesses by requesters of the officer's jurisdiction that wait for review. */
export function BreakGlassQueue({ session }: { session: Session }): ReactNode {
  const [queue, reload] = useLoad(
    () =>
      graphql<{ breakGlassReviewQueue: AccessLogPage }>(
        session.token,
        `{ breakGlassReviewQueue(first: 50) { ${ACCESS_LOG_FIELDS} } }`,
      ),
    [session.token],
  );
  const [state, run] = useAction();
  const review = async (entry: AccessLogEntry): Promise<void> => {
    const ok = await run(async () => {
      const { reviewBreakGlass } = await graphql<{ reviewBreakGlass: AccessLogEntry }>(
        session.token,
        'mutation ($id: ID!) { reviewBreakGlass(decisionId: $id) { decisionId reviewedAt reviewedBy } }',
        { id: entry.decisionId },
      );
      return `Break-glass access ${reviewBreakGlass.decisionId} marked reviewed by ${reviewBreakGlass.reviewedBy ?? 'you'}.`;
    });
    if (ok) reload();
  };
  return (
    <>
      <Outcome state={state} busyText="Recording the review…" />
      <Show loaded={queue} what="the review queue">
        {({ breakGlassReviewQueue }) =>
          breakGlassReviewQueue.edges.length === 0 ? (
            <p>No break-glass access waits for review.</p>
          ) : (
            <AccessLogTable
              entries={breakGlassReviewQueue.edges.map((e) => e.node)}
              caption="Break-glass accesses awaiting review, newest first"
              showPatient
              action={(entry) => (
                <button type="button" onClick={() => void review(entry)} disabled={state.kind === 'busy'}>
                  Mark reviewed<span className="visually-hidden"> {entry.decisionId}</span>
                </button>
              )}
            />
          )
        }
      </Show>
    </>
  );
}
