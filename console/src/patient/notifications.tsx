import { useEffect, useState, type ReactNode } from 'react';
import { graphql, subscribe } from '../api.js';
import type { Session } from '../app.js';
import { ConfirmDialog, Outcome, Show, useAction, useConfirmation, useLoad, when } from '../components.js';

interface Delivery {
  channelId: string;
  url: string;
  state: 'PENDING' | 'DELIVERED' | 'FAILED';
  attempts: number;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  lastError: string | null;
}

interface PatientNotification {
  id: string;
  kind: 'BREAK_GLASS' | 'ACCESS';
  at: string;
  decisionId: string;
  organisationId: string | null;
  organisationName: string | null;
  purpose: string | null;
  justification: string | null;
  deliveries: Delivery[];
}

interface Webhook {
  id: string;
  url: string;
  everyAccess: boolean;
  createdAt: string;
}

const NOTIFICATION_FIELDS = `id kind at decisionId organisationId organisationName purpose justification
  deliveries { channelId url state attempts nextAttemptAt deliveredAt lastError }`;
const NOTIFICATIONS = `{ myNotifications(first: 50) { ${NOTIFICATION_FIELDS} } }`;
const LIVE = `subscription ($since: DateTimeISO) { notifications(since: $since) { ${NOTIFICATION_FIELDS} } }`;
/** How far back the subscription starts: covers a list read just before it, and a decision still being written. */
const LIVE_OVERLAP_MS = 60_000;
const WEBHOOK_FIELDS = 'id url everyAccess createdAt';

type Live =
  | { readonly kind: 'connecting' }
  | { readonly kind: 'live' }
  | { readonly kind: 'interrupted' }
  | { readonly kind: 'failed'; readonly message: string };

function organisationOf(n: PatientNotification): string {
  return n.organisationName ?? n.organisationId ?? 'an unknown organisation';
}

/** Newest first, each notification once: a later answer of the API replaces what the socket sent. */
function merged(arrived: readonly PatientNotification[], read: readonly PatientNotification[]): PatientNotification[] {
  const byId = new Map<string, PatientNotification>();
  for (const n of arrived) byId.set(n.id, n);
  for (const n of read) byId.set(n.id, n);
  return [...byId.values()].sort((a, b) => b.at.localeCompare(a.at) || b.id.localeCompare(a.id));
}

async function readNotifications(token: string): Promise<PatientNotification[]> {
  return (await graphql<{ myNotifications: PatientNotification[] }>(token, NOTIFICATIONS)).myNotifications;
}

/**
 * The patient's notifications: accesses they are told of (every break-glass access, and every
 * other one for a webhook that asks), live over a subscription, and the webhooks they go to.
 */
export function MyNotifications({ session }: { session: Session }): ReactNode {
  const read = (): Promise<PatientNotification[]> => readNotifications(session.token);
  const [first] = useLoad(read, [session.token]);
  const [latest, setLatest] = useState<PatientNotification[] | null>(null);
  const [arrived, setArrived] = useState<PatientNotification[]>([]);
  const [live, setLive] = useState<Live>({ kind: 'connecting' });
  const [announcement, setAnnouncement] = useState('');
  const [state, run] = useAction();

  useEffect(() => {
    setLive({ kind: 'connecting' });
    // From a little before this page read its list: nothing written meanwhile is missed (merged drops repeats).
    const opened = Date.now();
    const since = new Date(opened - LIVE_OVERLAP_MS).toISOString();
    return subscribe<{ notifications: PatientNotification }>(
      session.token,
      LIVE,
      {
        next: ({ notifications: n }) => {
          setArrived((prev) => [n, ...prev.filter((p) => p.id !== n.id)]);
          // Announced when new to this page, not when the overlap brings back one it listed already.
          if (n.kind === 'BREAK_GLASS' && Date.parse(n.at) >= opened) {
            setAnnouncement(
              `New break-glass access to your data by ${organisationOf(n)} at ${when(n.at)}` +
                (n.justification !== null ? `: “${n.justification}”` : '.'),
            );
          }
        },
        connected: () => {
          setLive({ kind: 'live' });
          // What was written before the subscription began (or while it was interrupted) is read again.
          readNotifications(session.token).then(setLatest, () => undefined);
        },
        interrupted: () => {
          setLive((prev) => (prev.kind === 'failed' ? prev : { kind: 'interrupted' }));
        },
        failed: (failure) => {
          setLive({ kind: 'failed', message: failure.message });
        },
      },
      { since },
    );
  }, [session.token]);

  const refresh = (): Promise<boolean> =>
    run(async () => {
      const list = await read();
      setLatest(list);
      return `Notifications read again: ${String(list.length)} shown.`;
    });

  return (
    <>
      <p>
        The gateway tells you of every emergency (break-glass) access to your data, as it happens: here, and at the
        webhooks you register below. A webhook can also be told of every other access.
      </p>
      <LiveNote live={live} />
      <p aria-live="polite" className={announcement === '' ? 'visually-hidden' : 'announcement'} id="live-announcement">
        {announcement}
      </p>
      <section aria-labelledby="notifications-heading">
        <h2 id="notifications-heading">Notifications</h2>
        <button type="button" onClick={() => void refresh()} disabled={state.kind === 'busy'}>
          Refresh
        </button>
        <Outcome state={state} busyText="Reading your notifications…" />
        <Show loaded={first} what="your notifications">
          {(list) => <NotificationTable notifications={merged(arrived, latest ?? list)} />}
        </Show>
      </section>
      <Webhooks
        session={session}
        onChange={() => {
          read().then(setLatest, () => undefined);
        }}
      />
    </>
  );
}

function LiveNote({ live }: { live: Live }): ReactNode {
  switch (live.kind) {
    case 'connecting':
      return <p className="busy">Connecting for live updates…</p>;
    case 'live':
      return <p className="ok">Live: new notifications appear at the top of the list as they happen.</p>;
    case 'interrupted':
      return <p className="busy">The live connection was interrupted; trying again. Use Refresh to read the list.</p>;
    case 'failed':
      return (
        <p role="alert" className="error">
          No live updates: {live.message} The list below is as of the last refresh; use Refresh to read it again.
        </p>
      );
  }
}

function NotificationTable({ notifications }: { notifications: readonly PatientNotification[] }): ReactNode {
  if (notifications.length === 0) return <p>You have no notifications.</p>;
  return (
    <div className="scroll" tabIndex={0}>
      <table>
        <caption className="visually-hidden">Your notifications, newest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Kind</th>
            <th scope="col">Who</th>
            <th scope="col">Purpose</th>
            <th scope="col">Why</th>
            <th scope="col">Webhooks</th>
          </tr>
        </thead>
        <tbody>
          {notifications.map((n) => (
            <tr
              key={n.id}
              className={n.kind === 'BREAK_GLASS' ? 'break-glass' : undefined}
              data-notification={n.id}
              data-decision={n.decisionId}
            >
              <td>{when(n.at)}</td>
              <td>
                {n.kind === 'BREAK_GLASS' ? (
                  <strong className="badge break-glass-flag">Break-glass</strong>
                ) : (
                  <span className="badge">Access</span>
                )}
              </td>
              <td>{organisationOf(n)}</td>
              <td>{n.purpose ?? '—'}</td>
              <td>
                {n.justification !== null ? <p className="justification">Justification: “{n.justification}”</p> : '—'}
              </td>
              <td>
                <Deliveries deliveries={n.deliveries} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Deliveries({ deliveries }: { deliveries: readonly Delivery[] }): ReactNode {
  if (deliveries.length === 0) return <>none</>;
  return (
    <ul className="plain">
      {deliveries.map((d) => (
        <li key={d.channelId} data-delivery={d.channelId}>
          <code>{d.url}</code>: <span className={`badge ${d.state.toLowerCase()}`}>{d.state.toLowerCase()}</span>
          {d.state === 'DELIVERED' && <> {when(d.deliveredAt)}</>}
          {d.state === 'PENDING' && (
            <>
              {' '}
              next attempt {when(d.nextAttemptAt)}
              {d.attempts > 0 && <> ({d.attempts} tried)</>}
            </>
          )}
          {d.state === 'FAILED' && (
            <>
              {' '}
              after {d.attempts} {d.attempts === 1 ? 'attempt' : 'attempts'}
              {d.lastError !== null && <>: {d.lastError}</>}
            </>
          )}
        </li>
      ))}
    </ul>
  );
}

function Webhooks({ session, onChange }: { session: Session; onChange: () => void }): ReactNode {
  const [webhooks, reload] = useLoad(
    () => graphql<{ myWebhooks: Webhook[] }>(session.token, `{ myWebhooks { ${WEBHOOK_FIELDS} } }`),
    [session.token],
  );
  return (
    <>
      <RegisterForm session={session} onRegistered={reload} />
      <section aria-labelledby="webhooks-heading">
        <h2 id="webhooks-heading">Your webhooks</h2>
        <Show loaded={webhooks} what="your webhooks">
          {({ myWebhooks }) => (
            <WebhookTable
              session={session}
              webhooks={myWebhooks}
              onRemoved={() => {
                reload();
                onChange();
              }}
            />
          )}
        </Show>
      </section>
    </>
  );
}

function RegisterForm({ session, onRegistered }: { session: Session; onRegistered: () => void }): ReactNode {
  const [url, setUrl] = useState('');
  const [everyAccess, setEveryAccess] = useState(false);
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);
  const [state, run] = useAction();
  const field = state.kind === 'failed' ? state.failure?.errors[0]?.field : undefined;
  const submit = async (): Promise<void> => {
    const ok = await run(async () => {
      const { registerWebhook } = await graphql<{ registerWebhook: { channel: Webhook; secret: string } }>(
        session.token,
        `mutation ($url: String!, $every: Boolean!) { registerWebhook(url: $url, everyAccess: $every) {
          channel { ${WEBHOOK_FIELDS} } secret } }`,
        { url: url.trim(), every: everyAccess },
      );
      setSecret({ url: registerWebhook.channel.url, secret: registerWebhook.secret });
      return `Webhook registered for ${registerWebhook.channel.url}.`;
    });
    if (ok) {
      setUrl('');
      setEveryAccess(false);
      onRegistered();
    }
  };
  return (
    <section aria-labelledby="register-heading">
      <h2 id="register-heading">Register a webhook</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div className="row">
          <label htmlFor="webhook-url">Webhook URL (https://…)</label>
          <input
            id="webhook-url"
            type="url"
            required
            value={url}
            aria-invalid={field === 'url'}
            onChange={(e) => setUrl(e.target.value)}
          />
        </div>
        <div className="row">
          <span className="check">
            <input
              id="webhook-every-access"
              type="checkbox"
              checked={everyAccess}
              onChange={(e) => setEveryAccess(e.target.checked)}
            />
            <label htmlFor="webhook-every-access">Also tell me about every other access</label>
          </span>
        </div>
        <button type="submit" disabled={state.kind === 'busy'}>
          Register webhook
        </button>
      </form>
      <Outcome state={state} busyText="Registering…" />
      {secret !== null && (
        <div className="issued-code">
          <h3>Signing secret of this webhook</h3>
          <p className="webhook-secret" data-webhook-secret>
            <code>{secret.secret}</code>
          </p>
          <p>
            <strong>It is shown only now:</strong> the gateway keeps it sealed and never shows it again. Store it with
            the app at <code>{secret.url}</code>; if you lose it, remove the webhook and register a new one.
          </p>
          <p>
            Each notification is a POST in the Standard Webhooks format: verify its <code>webhook-signature</code>{' '}
            header (over <code>webhook-id</code>, <code>webhook-timestamp</code> and the body) with this secret, for
            instance with a Standard Webhooks library, and ignore a <code>webhook-id</code> you have already seen: a
            delivery is retried until your app answers 2xx.
          </p>
        </div>
      )}
    </section>
  );
}

function WebhookTable({
  session,
  webhooks,
  onRemoved,
}: {
  session: Session;
  webhooks: Webhook[];
  onRemoved: () => void;
}): ReactNode {
  const [state, run] = useAction();
  const confirmation = useConfirmation<Webhook>();
  const remove = async (w: Webhook): Promise<void> => {
    const ok = await run(async () => {
      const { removeWebhook } = await graphql<{ removeWebhook: Webhook }>(
        session.token,
        `mutation ($id: ID!) { removeWebhook(channelId: $id) { ${WEBHOOK_FIELDS} } }`,
        { id: w.id },
      );
      return `Webhook ${removeWebhook.url} removed: nothing more is delivered to it.`;
    });
    if (ok) onRemoved();
  };
  return (
    <>
      <Outcome state={state} busyText="Removing…" />
      {webhooks.length === 0 ? (
        <p>You have registered no webhook.</p>
      ) : (
        <div className="scroll" tabIndex={0}>
          <table>
            <caption className="visually-hidden">Your webhooks, oldest first</caption>
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">Tells you of</th>
                <th scope="col">Registered</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {webhooks.map((w) => (
                <tr key={w.id} data-webhook={w.id}>
                  <td>
                    <code>{w.url}</code>
                  </td>
                  <td>{w.everyAccess ? 'every access' : 'break-glass accesses'}</td>
                  <td>{when(w.createdAt)}</td>
                  <td>
                    <button type="button" onClick={() => confirmation.ask(w)}>
                      Remove<span className="visually-hidden"> webhook {w.url}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog
        confirmation={confirmation}
        id="remove-heading"
        title="Remove this webhook?"
        describe={(w) => `${w.url}, registered ${when(w.createdAt)}.`}
        confirmLabel="Remove webhook"
        onConfirm={remove}
      >
        Nothing more is delivered to it, not even what is still pending. You still see your notifications here.
      </ConfirmDialog>
    </>
  );
}
