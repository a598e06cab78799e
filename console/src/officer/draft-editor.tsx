import { useMemo, useState, type ReactNode } from 'react';
import { graphql } from '../api.js';
import type { Session } from '../app.js';
import { Outcome, useAction } from '../components.js';
import { checkDraft, problemOf, type DraftProblem } from './policy-check.js';
import type { PolicyVersion } from './policies.js';

/** Edits a copy of the active version as JSON, checked as you type; saved as a draft only when it is valid. */
export function DraftEditor({
  session,
  active,
  onSaved,
}: {
  session: Session;
  active: PolicyVersion;
  onSaved: (version: string) => void;
}): ReactNode {
  const [text, setText] = useState(() => JSON.stringify(active.document, null, 2));
  const [state, run] = useAction();
  const [submitted, setSubmitted] = useState(false);
  const local = useMemo(() => checkDraft(text), [text]);
  const server: DraftProblem[] =
    state.kind === 'failed' ? (state.failure?.errors.flatMap((e) => e.errors ?? []) ?? []).map(problemOf) : [];
  const problems = local.problems.length > 0 ? local.problems : server;
  const save = async (): Promise<void> => {
    setSubmitted(true);
    if (local.problems.length > 0) {
      document.getElementById('draft-problems')?.focus();
      return;
    }
    let version = '';
    const ok = await run(async () => {
      const { draftPolicy } = await graphql<{ draftPolicy: PolicyVersion }>(
        session.token,
        'mutation ($doc: JSONObject!) { draftPolicy(document: $doc) { jurisdiction version status recordTxId } }',
        { doc: local.document },
      );
      version = draftPolicy.version;
      return `Draft ${draftPolicy.jurisdiction} ${draftPolicy.version} saved (${draftPolicy.status}); anchored in ledger transaction ${draftPolicy.recordTxId}.`;
    });
    if (ok) onSaved(version);
  };
  const showProblems = problems.length > 0 && (submitted || local.problems.length > 0);
  return (
    <section aria-labelledby="draft-heading">
      <h2 id="draft-heading">Draft a new version of {active.jurisdiction}</h2>
      <p>
        A copy of the active version {active.version}. Give it a new <code>version</code>, change what you need, and
        save it as a draft; a second officer approves it.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <label htmlFor="draft-json">Policy document (JSON, format meridian-policy/1)</label>
        <textarea
          id="draft-json"
          className="json"
          spellCheck={false}
          rows={24}
          value={text}
          aria-invalid={showProblems}
          aria-describedby="draft-problems"
          onChange={(e) => {
            setText(e.target.value);
          }}
        />
        <div id="draft-problems" tabIndex={-1} aria-live="polite">
          {showProblems && (
            <div className="error">
              <p>
                {problems.length} problem{problems.length === 1 ? '' : 's'} in this draft:
              </p>
              <ul>
                {problems.map((p, i) => (
                  <li key={i}>
                    <code>{p.path}</code>: {p.message}
                  </li>
                ))}
              </ul>
            </div>
          )}
        </div>
        <button type="submit" disabled={state.kind === 'busy'}>
          Save draft
        </button>
      </form>
      {submitted && local.problems.length > 0 ? (
        <p role="alert" className="error">
          Nothing was saved: fix the problems above first.
        </p>
      ) : (
        <Outcome state={state} busyText="Validating and anchoring the draft…" />
      )}
    </section>
  );
}
