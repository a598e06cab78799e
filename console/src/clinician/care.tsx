import { useState, type ReactNode } from 'react';
import { graphql } from '../api.js';
import type { Session } from '../app.js';
import { Outcome, TxId, useAction, when } from '../components.js';
import { CARE_FIELDS, organisationText, type CareRelationship } from '../care-relationship.js';

/** A clinician opens a care relationship for their organisation with the patient's id and access code. */
export function OpenCareRelationship({ session }: { session: Session }): ReactNode {
  const [patientId, setPatientId] = useState('');
  const [accessCode, setAccessCode] = useState('');
  const [opened, setOpened] = useState<CareRelationship | null>(null);
  const [state, run] = useAction();
  const field = state.kind === 'failed' ? state.failure?.errors[0]?.field : undefined;
  const submit = async (): Promise<void> => {
    const ok = await run(async () => {
      setOpened(null);
      const { openCareRelationship } = await graphql<{ openCareRelationship: CareRelationship }>(
        session.token,
        `mutation ($p: ID!, $c: String!) { openCareRelationship(patientId: $p, accessCode: $c) { ${CARE_FIELDS} } }`,
        { p: patientId.trim(), c: accessCode.trim() },
      );
      setOpened(openCareRelationship);
      return `Care relationship opened for ${organisationText(openCareRelationship)}, until ${when(openCareRelationship.expiresAt)}.`;
    });
    if (ok) setAccessCode('');
  };
  return (
    <>
      <p>
        The patient gives you their patient id and an access code they issued in their console. A consent to{' '}
        <em>any treating provider</em> reaches you only while your organisation ({session.me.organisationId}) has an
        open care relationship with the patient. Every try is audited; wrong codes count against the patient&apos;s
        codes.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div className="row">
          <label htmlFor="care-patient">Patient id (e.g. mp-…)</label>
          <input
            id="care-patient"
            value={patientId}
            required
            spellCheck={false}
            autoComplete="off"
            aria-invalid={field === 'patientId'}
            onChange={(e) => setPatientId(e.target.value)}
          />
        </div>
        <div className="row">
          <label htmlFor="care-code">Access code (e.g. 7KQ2M-X9D4T)</label>
          <input
            id="care-code"
            className="access-code-input"
            value={accessCode}
            required
            spellCheck={false}
            autoComplete="off"
            autoCapitalize="characters"
            onChange={(e) => setAccessCode(e.target.value)}
          />
        </div>
        <button type="submit" disabled={state.kind === 'busy'}>
          Open care relationship
        </button>
      </form>
      <Outcome state={state} busyText="Checking the code and anchoring on the ledger…" />
      {opened !== null && (
        <section aria-labelledby="opened-heading">
          <h2 id="opened-heading">Care relationship {opened.status === 'OPEN' ? 'open' : opened.status}</h2>
          <dl className="facts">
            <dt>Patient</dt>
            <dd>
              <code>{opened.patientId}</code>
            </dd>
            <dt>Organisation</dt>
            <dd>{organisationText(opened)}</dd>
            <dt>Opened</dt>
            <dd>{when(opened.openedAt)}</dd>
            <dt>Expires</dt>
            <dd>{when(opened.expiresAt)}</dd>
            <dt>Ledger</dt>
            <dd>
              <TxId id={opened.openTxId} />
            </dd>
          </dl>
        </section>
      )}
    </>
  );
}
