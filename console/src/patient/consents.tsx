import { useState, type ReactNode } from 'react';
import { graphql } from '../api.js';
import type { Session } from '../app.js';
import { CheckboxGroup } from '../checkbox-group.js';
import { ConfirmDialog, Outcome, Show, TxId, useAction, useConfirmation, useLoad, when } from '../components.js';
import { CATEGORY_VALUES, LABELS, PURPOSES, labelText, purposeText } from '../vocabulary.js';

interface Consent {
  id: string;
  kind: string;
  status: string;
  purposes: string[];
  grantee: { kind: string; jurisdiction: string | null; organisationId: string | null };
  categoriesDenied: string[];
  labelsDenied: string[];
  destinationsAllowed: string[];
  validFrom: string;
  validUntil: string | null;
  grantedAt: string;
  revokedAt: string | null;
  grantTxId: string;
  revokeTxId: string | null;
}

const CONSENT_FIELDS = `id kind status purposes grantee { kind jurisdiction organisationId } categoriesDenied
  labelsDenied destinationsAllowed validFrom validUntil grantedAt revokedAt grantTxId revokeTxId`;

/** The patient's consents and objections: grant, see status and ledger transactions, revoke. */
export function MyConsents({ session }: { session: Session }): ReactNode {
  const [consents, reload] = useLoad(
    () => graphql<{ myConsents: Consent[] }>(session.token, `{ myConsents { ${CONSENT_FIELDS} } }`),
    [session.token],
  );
  return (
    <>
      <GrantForm session={session} onGranted={reload} />
      <section aria-labelledby="consents-heading">
        <h2 id="consents-heading">Consents and objections</h2>
        <Show loaded={consents} what="your consents">
          {({ myConsents }) => <ConsentTable session={session} consents={myConsents} onChange={reload} />}
        </Show>
      </section>
    </>
  );
}

function granteeText(g: Consent['grantee']): string {
  if (g.kind === 'ORGANISATION') return `organisation ${g.organisationId ?? '?'}`;
  if (g.kind === 'JURISDICTION') return `anyone in ${g.jurisdiction ?? '?'}`;
  return 'any treating provider';
}

function ConsentTable({
  session,
  consents,
  onChange,
}: {
  session: Session;
  consents: Consent[];
  onChange: () => void;
}): ReactNode {
  const [state, run] = useAction();
  const confirmation = useConfirmation<Consent>();
  if (consents.length === 0) return <p>You have granted no consent and made no objection.</p>;
  const revoke = async (c: Consent): Promise<void> => {
    const ok = await run(async () => {
      const { revokeConsent } = await graphql<{ revokeConsent: Consent }>(
        session.token,
        'mutation ($id: ID!) { revokeConsent(consentId: $id) { id status revokeTxId } }',
        { id: c.id },
      );
      return `Consent revoked (${revokeConsent.status}); ledger transaction ${revokeConsent.revokeTxId ?? '—'}.`;
    });
    if (ok) onChange();
  };
  return (
    <>
      <Outcome state={state} busyText="Revoking…" />
      <div className="scroll" tabIndex={0}>
        <table>
          <caption className="visually-hidden">Your consents, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">Status</th>
              <th scope="col">Grantee</th>
              <th scope="col">Purposes</th>
              <th scope="col">Held back</th>
              <th scope="col">Valid</th>
              <th scope="col">Ledger</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {consents.map((c) => (
              <tr key={c.id} data-consent={c.id}>
                <td>{c.kind === 'DENY' ? 'Objection' : 'Permit'}</td>
                <td>
                  <span className={`badge ${c.status.toLowerCase()}`}>{c.status}</span>
                </td>
                <td>
                  {granteeText(c.grantee)}
                  {c.destinationsAllowed.length > 0 && <> (to {c.destinationsAllowed.join(', ')})</>}
                </td>
                <td>{c.purposes.join(', ')}</td>
                <td>{[...c.categoriesDenied, ...c.labelsDenied].join(', ') || '—'}</td>
                <td>
                  {when(c.validFrom)} – {c.validUntil ? when(c.validUntil) : 'until revoked'}
                </td>
                <td>
                  granted <TxId id={c.grantTxId} />
                  {c.revokeTxId !== null && (
                    <>
                      <br />
                      revoked <TxId id={c.revokeTxId} />
                    </>
                  )}
                </td>
                <td>
                  {c.status === 'ACTIVE' && (
                    <button type="button" onClick={() => confirmation.ask(c)}>
                      Revoke<span className="visually-hidden"> consent for {granteeText(c.grantee)}</span>
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
        id="revoke-heading"
        title="Revoke this consent?"
        describe={(c) => `${granteeText(c.grantee)}, for ${c.purposes.join(', ')}.`}
        confirmLabel="Revoke consent"
        onConfirm={revoke}
      >
        It stops counting the moment the gateway answers; the next request is decided without it.
      </ConfirmDialog>
    </>
  );
}

interface GrantDraft {
  kind: string;
  granteeKind: string;
  grantee: string;
  purposes: string[];
  categoriesDenied: string[];
  labelsDenied: string[];
  destinations: string;
  validFrom: string;
  validUntil: string;
}

const EMPTY: GrantDraft = {
  kind: 'PERMIT',
  granteeKind: 'JURISDICTION',
  grantee: '',
  purposes: ['TREAT'],
  categoriesDenied: [],
  labelsDenied: [],
  destinations: '',
  validFrom: '',
  validUntil: '',
};

function grantInput(d: GrantDraft): Record<string, unknown> {
  const grantee =
    d.granteeKind === 'ANY_TREATING_PROVIDER'
      ? { kind: d.granteeKind }
      : d.granteeKind === 'ORGANISATION'
        ? { kind: d.granteeKind, organisationId: d.grantee.trim() }
        : { kind: d.granteeKind, jurisdiction: d.grantee.trim() };
  const destinations = d.destinations
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return {
    kind: d.kind,
    grantee,
    purposes: d.purposes,
    ...(d.categoriesDenied.length > 0 ? { categoriesDenied: d.categoriesDenied } : {}),
    ...(d.kind === 'PERMIT' && d.labelsDenied.length > 0 ? { labelsDenied: d.labelsDenied } : {}),
    ...(d.kind === 'PERMIT' && destinations.length > 0 ? { destinationsAllowed: destinations } : {}),
    ...(d.validFrom !== '' ? { validFrom: `${d.validFrom}T00:00:00Z` } : {}),
    ...(d.validUntil !== '' ? { validUntil: `${d.validUntil}T00:00:00Z` } : {}),
  };
}

function GrantForm({ session, onGranted }: { session: Session; onGranted: () => void }): ReactNode {
  const [d, setD] = useState<GrantDraft>(EMPTY);
  const [state, run] = useAction();
  const set = (patch: Partial<GrantDraft>): void => {
    setD((prev) => ({ ...prev, ...patch }));
  };
  const field = state.kind === 'failed' ? state.failure?.errors[0]?.field : undefined;
  const submit = async (): Promise<void> => {
    const ok = await run(async () => {
      const { grantConsent } = await graphql<{ grantConsent: Consent }>(
        session.token,
        `mutation ($input: GrantConsentInput!) { grantConsent(input: $input) { ${CONSENT_FIELDS} } }`,
        { input: grantInput(d) },
      );
      return `Consent granted (${grantConsent.status}); anchored in ledger transaction ${grantConsent.grantTxId}.`;
    });
    if (ok) {
      setD(EMPTY);
      onGranted();
    }
  };
  return (
    <section aria-labelledby="grant-heading">
      <h2 id="grant-heading">Grant a consent or record an objection</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div className="row">
          <label htmlFor="grant-kind">Kind</label>
          <select id="grant-kind" value={d.kind} onChange={(e) => set({ kind: e.target.value })}>
            <option value="PERMIT">Permit: allow access</option>
            <option value="DENY">Objection: refuse access</option>
          </select>
        </div>
        <div className="row">
          <label htmlFor="grantee-kind">Who</label>
          <select id="grantee-kind" value={d.granteeKind} onChange={(e) => set({ granteeKind: e.target.value })}>
            <option value="JURISDICTION">Anyone in a jurisdiction or policy family</option>
            <option value="ORGANISATION">One organisation</option>
            <option value="ANY_TREATING_PROVIDER">Any treating provider</option>
          </select>
        </div>
        {d.granteeKind !== 'ANY_TREATING_PROVIDER' && (
          <div className="row">
            <label htmlFor="grantee">
              {d.granteeKind === 'ORGANISATION'
                ? 'Organisation id (e.g. charite-berlin)'
                : 'Jurisdiction (e.g. DE or EU)'}
            </label>
            <input
              id="grantee"
              value={d.grantee}
              required
              aria-invalid={field?.startsWith('grantee') === true}
              onChange={(e) => set({ grantee: e.target.value })}
            />
          </div>
        )}
        <CheckboxGroup
          legend="Purposes"
          name="purpose"
          options={PURPOSES}
          value={d.purposes}
          describe={purposeText}
          onChange={(purposes) => set({ purposes })}
        />
        <CheckboxGroup
          legend="Categories to keep back"
          name="category-denied"
          options={CATEGORY_VALUES}
          value={d.categoriesDenied}
          onChange={(categoriesDenied) => set({ categoriesDenied })}
        />
        {d.kind === 'PERMIT' && (
          <>
            <CheckboxGroup
              legend="Labels to keep back"
              name="label-denied"
              options={LABELS}
              value={d.labelsDenied}
              describe={labelText}
              onChange={(labelsDenied) => set({ labelsDenied })}
            />
            <div className="row">
              <label htmlFor="destinations">
                Destinations outside the data's policy family (comma-separated, e.g. US-MA)
              </label>
              <input id="destinations" value={d.destinations} onChange={(e) => set({ destinations: e.target.value })} />
            </div>
          </>
        )}
        <div className="row">
          <label htmlFor="valid-from">Valid from (optional, UTC)</label>
          <input id="valid-from" type="date" value={d.validFrom} onChange={(e) => set({ validFrom: e.target.value })} />
        </div>
        <div className="row">
          <label htmlFor="valid-until">Valid until (optional, UTC, exclusive)</label>
          <input
            id="valid-until"
            type="date"
            value={d.validUntil}
            aria-invalid={field === 'validUntil'}
            onChange={(e) => set({ validUntil: e.target.value })}
          />
        </div>
        <button type="submit" disabled={state.kind === 'busy' || d.purposes.length === 0}>
          {d.kind === 'DENY' ? 'Record objection' : 'Grant consent'}
        </button>
      </form>
      <Outcome state={state} busyText="Anchoring on the ledger…" />
    </section>
  );
}
