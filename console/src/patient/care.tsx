import { useState, type ReactNode } from 'react';
import { graphql } from '../api.js';
import type { Session } from '../app.js';
import { CARE_FIELDS, organisationText, type CareRelationship } from '../care-relationship.js';
import { ConfirmDialog, Outcome, Show, TxId, useAction, useConfirmation, useLoad, when } from '../components.js';

interface AccessCode {
  id: string;
  code: string | null;
  organisationId: string | null;
  expiresAt: string;
  state: string;
  failedAttempts: number;
}

const CODE_FIELDS = 'id organisationId expiresAt state failedAttempts';

/** The validity the gateway gives a code when none is asked for, and the longest it allows. */
const DEFAULT_MINUTES = 15;
const MAX_MINUTES = 1440;

/** The patient's care relationships: issue an access code for a clinician, see the codes and relationships, end one. */
export function MyCare({ session }: { session: Session }): ReactNode {
  const [codes, reloadCodes] = useLoad(
    () => graphql<{ myAccessCodes: AccessCode[] }>(session.token, `{ myAccessCodes { ${CODE_FIELDS} } }`),
    [session.token],
  );
  const [relationships, reloadRelationships] = useLoad(
    () =>
      graphql<{ myCareRelationships: CareRelationship[] }>(session.token, `{ myCareRelationships { ${CARE_FIELDS} } }`),
    [session.token],
  );
  return (
    <>
      <p>
        A consent to <em>any treating provider</em> reaches a clinician only while their organisation has an open care
        relationship with you. You open one by giving the clinician an access code and your patient id.
      </p>
      <IssueForm session={session} onIssued={reloadCodes} />
      <section aria-labelledby="relationships-heading">
        <h2 id="relationships-heading">Organisations treating you</h2>
        <Show loaded={relationships} what="your care relationships">
          {({ myCareRelationships }) => (
            <RelationshipTable
              session={session}
              relationships={myCareRelationships}
              onChange={() => {
                reloadRelationships();
                reloadCodes();
              }}
            />
          )}
        </Show>
      </section>
      <section aria-labelledby="codes-heading">
        <h2 id="codes-heading">Access codes</h2>
        <Show loaded={codes} what="your access codes">
          {({ myAccessCodes }) => <CodeTable codes={myAccessCodes} />}
        </Show>
      </section>
    </>
  );
}

function IssueForm({ session, onIssued }: { session: Session; onIssued: () => void }): ReactNode {
  const [organisationId, setOrganisationId] = useState('');
  const [minutes, setMinutes] = useState(String(DEFAULT_MINUTES));
  const [issued, setIssued] = useState<AccessCode | null>(null);
  const [state, run] = useAction();
  const field = state.kind === 'failed' ? state.failure?.errors[0]?.field : undefined;
  const submit = async (): Promise<void> => {
    const ok = await run(async () => {
      const { issueAccessCode } = await graphql<{ issueAccessCode: AccessCode }>(
        session.token,
        `mutation ($o: String, $m: Int) { issueAccessCode(organisationId: $o, validMinutes: $m) { ${CODE_FIELDS} code } }`,
        { o: organisationId.trim() === '' ? null : organisationId.trim(), m: Number(minutes) },
      );
      setIssued(issueAccessCode);
      return `Access code issued, valid until ${when(issueAccessCode.expiresAt)}.`;
    });
    if (ok) onIssued();
  };
  return (
    <section aria-labelledby="issue-heading">
      <h2 id="issue-heading">Issue an access code</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div className="row">
          <label htmlFor="code-organisation">
            Only for the organisation (optional, e.g. charite-berlin; empty: any organisation)
          </label>
          <input
            id="code-organisation"
            value={organisationId}
            aria-invalid={field === 'organisationId'}
            onChange={(e) => setOrganisationId(e.target.value)}
          />
        </div>
        <div className="row">
          <label htmlFor="code-minutes">Valid for (minutes, at most {MAX_MINUTES})</label>
          <input
            id="code-minutes"
            type="number"
            min={1}
            max={MAX_MINUTES}
            step={1}
            required
            value={minutes}
            aria-invalid={field === 'validMinutes'}
            onChange={(e) => setMinutes(e.target.value)}
          />
        </div>
        <button type="submit" disabled={state.kind === 'busy'}>
          Issue access code
        </button>
      </form>
      <Outcome state={state} busyText="Issuing…" />
      {issued !== null && issued.code !== null && (
        <div className="issued-code">
          <h3>Your access code</h3>
          <p className="access-code" data-access-code>
            {issued.code}
          </p>
          <p>
            Valid until <strong>{when(issued.expiresAt)}</strong>, once, for{' '}
            {issued.organisationId === null ? 'any organisation' : <strong>{issued.organisationId}</strong>}. Give the
            clinician this code and your patient id <code>{session.me.patientId ?? '—'}</code>.
          </p>
          <p>
            <strong>It is shown only now:</strong> the gateway keeps only a keyed hash of it. If you lose it, issue a
            new one.
          </p>
        </div>
      )}
    </section>
  );
}

function RelationshipTable({
  session,
  relationships,
  onChange,
}: {
  session: Session;
  relationships: CareRelationship[];
  onChange: () => void;
}): ReactNode {
  const [state, run] = useAction();
  const confirmation = useConfirmation<CareRelationship>();
  if (relationships.length === 0) return <p>No organisation has a care relationship with you.</p>;
  const end = async (r: CareRelationship): Promise<void> => {
    const ok = await run(async () => {
      const { endCareRelationship } = await graphql<{ endCareRelationship: CareRelationship }>(
        session.token,
        `mutation ($id: ID!) { endCareRelationship(relationshipId: $id) { ${CARE_FIELDS} } }`,
        { id: r.id },
      );
      return `Care relationship with ${organisationText(endCareRelationship)} ended (${endCareRelationship.status}); ledger transaction ${endCareRelationship.endTxId ?? '—'}.`;
    });
    if (ok) onChange();
  };
  return (
    <>
      <Outcome state={state} busyText="Ending…" />
      <div className="scroll" tabIndex={0}>
        <table>
          <caption className="visually-hidden">Your care relationships, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Organisation</th>
              <th scope="col">Status</th>
              <th scope="col">Opened</th>
              <th scope="col">Expires</th>
              <th scope="col">Ledger</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {relationships.map((r) => (
              <tr key={r.id} data-care-relationship={r.id}>
                <td>{organisationText(r)}</td>
                <td>
                  <span className={`badge ${r.status.toLowerCase()}`}>{r.status}</span>
                  {r.endedAt !== null && <> {when(r.endedAt)}</>}
                </td>
                <td>{when(r.openedAt)}</td>
                <td>{when(r.expiresAt)}</td>
                <td>
                  opened <TxId id={r.openTxId} />
                  {r.endTxId !== null && (
                    <>
                      <br />
                      ended <TxId id={r.endTxId} />
                    </>
                  )}
                </td>
                <td>
                  {r.status === 'OPEN' && (
                    <button type="button" onClick={() => confirmation.ask(r)}>
                      End<span className="visually-hidden"> care relationship with {organisationText(r)}</span>
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ConfirmDialog
        confirmation={confirmation}
        id="end-heading"
        title="End this care relationship?"
        describe={(r) => `${organisationText(r)}, opened ${when(r.openedAt)}.`}
        confirmLabel="End care relationship"
        onConfirm={end}
      >
        It ends the moment the gateway answers: a consent to any treating provider no longer reaches this organisation's
        clinicians until you give them a new access code.
      </ConfirmDialog>
    </>
  );
}

function CodeTable({ codes }: { codes: AccessCode[] }): ReactNode {
  if (codes.length === 0) return <p>You have issued no access code.</p>;
  return (
    <div className="scroll" tabIndex={0}>
      <table>
        <caption className="visually-hidden">
          Your access codes, newest first (the codes themselves are not kept)
        </caption>
        <thead>
          <tr>
            <th scope="col">For</th>
            <th scope="col">State</th>
            <th scope="col">Expires</th>
            <th scope="col">Wrong tries</th>
          </tr>
        </thead>
        <tbody>
          {codes.map((c) => (
            <tr key={c.id} data-access-code-row={c.id}>
              <td>{c.organisationId ?? 'any organisation'}</td>
              <td>
                <span className={`badge ${c.state.toLowerCase()}`}>{c.state}</span>
              </td>
              <td>{when(c.expiresAt)}</td>
              <td>{c.failedAttempts}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
