import { useEffect, useState, type ReactNode } from 'react';
import { graphql, messageOf } from './api.js';
import { OpenCareRelationship } from './clinician/care.js';
import { OfficerAccessLog } from './officer/access-log.js';
import { BreakGlassQueue } from './officer/break-glass.js';
import { Policies } from './officer/policies.js';
import { completeSignIn } from './oidc.js';
import { MyAccessLog } from './patient/access-log.js';
import { MyCare } from './patient/care.js';
import { MyConsents } from './patient/consents.js';
import { EraseMyData } from './patient/erasure.js';
import { MyNotifications } from './patient/notifications.js';
import { SignIn } from './sign-in.js';
import { VerifyReceipt } from './verify.js';

export interface Me {
  readonly subject: string;
  readonly organisationId: string;
  readonly jurisdiction: string;
  readonly roles: readonly string[];
  readonly patientId: string | null;
}

/** What a page gets: the signed-in user and their token (kept in memory only). */
export interface Session {
  readonly token: string;
  readonly me: Me;
}

interface Page {
  readonly id: string;
  readonly title: string;
  readonly render: (session: Session) => ReactNode;
}

const VERIFY: Page = { id: 'verify', title: 'Verify a receipt', render: (s) => <VerifyReceipt session={s} /> };

const PATIENT_PAGES: readonly Page[] = [
  { id: 'consents', title: 'My consents', render: (s) => <MyConsents session={s} /> },
  { id: 'care', title: 'Care relationships', render: (s) => <MyCare session={s} /> },
  { id: 'access-log', title: 'Who looked at my data', render: (s) => <MyAccessLog session={s} /> },
  { id: 'notifications', title: 'Notifications', render: (s) => <MyNotifications session={s} /> },
  { id: 'erase', title: 'Erase my data', render: (s) => <EraseMyData session={s} /> },
  VERIFY,
];

const CLINICIAN_PAGES: readonly Page[] = [
  { id: 'care', title: 'Open a care relationship', render: (s) => <OpenCareRelationship session={s} /> },
  VERIFY,
];

const OFFICER_PAGES: readonly Page[] = [
  { id: 'policies', title: 'Policies', render: (s) => <Policies session={s} /> },
  { id: 'break-glass', title: 'Break-glass review', render: (s) => <BreakGlassQueue session={s} /> },
  { id: 'access-log', title: 'Access log', render: (s) => <OfficerAccessLog session={s} /> },
  VERIFY,
];

function pagesOf(me: Me): readonly Page[] {
  if (me.roles.includes('compliance_officer')) return OFFICER_PAGES;
  if (me.roles.includes('patient')) return PATIENT_PAGES;
  if (me.roles.includes('clinician')) return CLINICIAN_PAGES;
  return [VERIFY];
}

function useHash(): string {
  const [hash, setHash] = useState(() => window.location.hash.slice(1));
  useEffect(() => {
    const update = (): void => {
      setHash(window.location.hash.slice(1));
    };
    window.addEventListener('hashchange', update);
    return () => {
      window.removeEventListener('hashchange', update);
    };
  }, []);
  return hash;
}

/** The console: sign-in, then the pages of the user's role. The token lives in this component's state only. */
export function App(): ReactNode {
  const [session, setSession] = useState<Session | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [returning, setReturning] = useState(true);

  const signIn = async (token: string): Promise<void> => {
    const { me } = await graphql<{ me: Me }>(token, '{ me { subject organisationId jurisdiction roles patientId } }');
    setSession({ token, me });
  };

  useEffect(() => {
    completeSignIn()
      .then((token) => (token === null ? undefined : signIn(token)))
      .catch((err: unknown) => {
        setError(`Sign-in failed: ${messageOf(err)}`);
      })
      .finally(() => {
        setReturning(false);
      });
  }, []);

  if (session === null) {
    return (
      <>
        {error !== null && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        {!returning && (
          <SignIn
            onToken={(token) => {
              signIn(token).catch((err: unknown) => {
                setError(`Sign-in failed: ${messageOf(err)}`);
              });
            }}
          />
        )}
      </>
    );
  }
  return (
    <Shell
      session={session}
      onSignOut={() => {
        setSession(null);
        window.location.hash = '';
      }}
    />
  );
}

function Shell({ session, onSignOut }: { session: Session; onSignOut: () => void }): ReactNode {
  const hash = useHash();
  const pages = pagesOf(session.me);
  const page = pages.find((p) => p.id === hash) ?? pages.at(0);
  useEffect(() => {
    if (page) document.title = `${page.title} — Meridian console`;
  }, [page]);
  if (page === undefined) return null;
  return (
    <>
      <a
        className="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <header className="top">
        <p className="brand">Meridian console</p>
        <nav aria-label="Pages">
          <ul>
            {pages.map((p) => (
              <li key={p.id}>
                <a href={`#${p.id}`} aria-current={p.id === page.id ? 'page' : undefined}>
                  {p.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <p className="who">
          Signed in as <strong>{session.me.subject}</strong> ({session.me.organisationId}, {session.me.jurisdiction})
          <button type="button" onClick={onSignOut}>
            Sign out
          </button>
        </p>
      </header>
      <main id="main" tabIndex={-1}>
        <h1>{page.title}</h1>
        {page.render(session)}
      </main>
    </>
  );
}
