import { useState, type ReactNode } from 'react';
import { graphql } from '../api.js';
import type { Session } from '../app.js';
import { ConfirmDialog, Outcome, TxId, useAction, useConfirmation, when } from '../components.js';

interface ErasureReceipt {
  readonly erasureId: string;
  readonly completedAt: string;
  readonly regions: readonly { readonly region: string; readonly records: number }[];
  readonly consents: number;
  readonly careRelationships: number;
  readonly notifications: number;
  readonly auditEventsPseudonymised: number;
  readonly auditRetainedUntil: string | null;
  readonly ledgerTxId: string;
}

const ERASE = `mutation Erase($p: ID!) { erasePatient(patientId: $p) {
  erasureId completedAt regions { region records } consents careRelationships notifications
  auditEventsPseudonymised auditRetainedUntil ledgerTxId } }`;

/** The patient's right to erasure: what goes, what stays, a confirmation, and the receipt to keep. */
export function EraseMyData({ session }: { session: Session }): ReactNode {
  const [state, run] = useAction();
  const confirmation = useConfirmation<string>();
  const [receipt, setReceipt] = useState<ErasureReceipt | null>(null);
  const patientId = session.me.patientId;
  if (patientId === null) return <p>This page is for patients.</p>;
  const erase = async (): Promise<void> => {
    await run(async () => {
      const { erasePatient } = await graphql<{ erasePatient: ErasureReceipt }>(session.token, ERASE, { p: patientId });
      setReceipt(erasePatient);
      return 'Your data was erased. Keep the receipt below.';
    });
  };
  return (
    <section aria-label="Erasure">
      <p>
        Erasing removes your records from every region, your consents, care relationships, access codes, notifications
        and webhooks, and your entry in the patient index. Cached copies become unreadable. Hospitals keep what they
        recorded themselves.
      </p>
      <p>
        What the law requires is kept without your name or id: the log of who accessed your data (the audit events), for
        as long as the policies of your regions say. Nothing links it to you afterwards.
      </p>
      {receipt === null ? (
        <button type="button" onClick={() => confirmation.ask(patientId)} disabled={state.kind === 'busy'}>
          Erase my data…
        </button>
      ) : null}
      <Outcome state={state} busyText="Erasing…" />
      {receipt !== null ? (
        <dl aria-label="Erasure receipt">
          <dt>Erasure</dt>
          <dd>{receipt.erasureId}</dd>
          <dt>Completed</dt>
          <dd>{when(receipt.completedAt)}</dd>
          <dt>Records deleted</dt>
          <dd>{receipt.regions.map((r) => `${r.region}: ${r.records}`).join(', ') || 'none'}</dd>
          <dt>Consents, care relationships, notifications removed</dt>
          <dd>
            {receipt.consents}, {receipt.careRelationships}, {receipt.notifications}
          </dd>
          <dt>Access log entries kept without your id</dt>
          <dd>
            {receipt.auditEventsPseudonymised}
            {receipt.auditRetainedUntil !== null ? `, until ${when(receipt.auditRetainedUntil)}` : ''}
          </dd>
          <dt>Ledger transaction</dt>
          <dd>
            <TxId id={receipt.ledgerTxId} />
          </dd>
        </dl>
      ) : null}
      <ConfirmDialog
        confirmation={confirmation}
        id="erase-confirm-title"
        title="Erase all your data?"
        describe={() => 'Everything listed on this page is removed for good.'}
        confirmLabel="Erase my data"
        onConfirm={erase}
      >
        This cannot be undone, and you will have no records here afterwards.
      </ConfirmDialog>
    </section>
  );
}
