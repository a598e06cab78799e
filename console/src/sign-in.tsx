import { useEffect, useState, type ReactNode } from 'react';
import { messageOf } from './api.js';
import { Outcome, useAction } from './components.js';
import { signInWithIssuer, type Issuer } from './oidc.js';

interface PersonaView {
  readonly name: string;
  readonly displayName: string;
  readonly role: string;
  readonly organisationId: string;
  readonly patientId: string | null;
}

interface SignInOptions {
  readonly mode: 'development' | 'production';
  readonly personas: PersonaView[] | null;
  readonly issuers: Issuer[];
}

const CONSOLE_ROLES = new Set(['patient', 'clinician', 'compliance_officer']);

/**
 * Sign-in: in development a picker of the demo personas (the gateway mints their tokens, as
 * `meridian token` does); in production OpenID Connect with the organisation's issuer.
 */
export function SignIn({ onToken }: { onToken: (token: string) => void }): ReactNode {
  const [options, setOptions] = useState<SignInOptions | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [state, run] = useAction();
  useEffect(() => {
    fetch('/console/api/sign-in')
      .then(async (r) => {
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        setOptions((await r.json()) as SignInOptions);
      })
      .catch((err: unknown) => {
        setLoadError(messageOf(err));
      });
  }, []);

  const persona = (name: string): Promise<boolean> =>
    run(async () => {
      const r = await fetch('/console/api/persona-token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ persona: name }),
      });
      const body = (await r.json()) as { token?: string; errors?: { message: string }[] };
      if (!r.ok || body.token === undefined) throw new Error(body.errors?.[0]?.message ?? `HTTP ${r.status}`);
      onToken(body.token);
      return `Signed in as ${name}.`;
    });

  return (
    <main id="main" className="sign-in">
      <h1>Sign in to the Meridian console</h1>
      {loadError !== null && (
        <p role="alert" className="error">
          Could not load the sign-in options: {loadError}
        </p>
      )}
      {options === null && loadError === null && (
        <p role="status" className="busy">
          Loading sign-in options…
        </p>
      )}
      {options?.personas && (
        <PersonaPicker personas={options.personas} onPick={(name) => void persona(name)} busy={state.kind === 'busy'} />
      )}
      {options !== null && options.issuers.length > 0 && (
        <section aria-labelledby="oidc-heading">
          <h2 id="oidc-heading">Sign in with your organisation</h2>
          <ul className="plain">
            {options.issuers.map((issuer) => (
              <li key={issuer.organisationId}>
                <button
                  type="button"
                  onClick={() => void run(() => signInWithIssuer(issuer).then(() => 'Redirecting…'))}
                >
                  {issuer.name}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      {options?.mode === 'production' && options.issuers.length === 0 && (
        <p role="alert" className="error">
          No organisation is configured for console sign-in (an `oidc` entry in MERIDIAN_ORG_KEYS_FILE).
        </p>
      )}
      <Outcome state={state} busyText="Signing in…" />
    </main>
  );
}

function PersonaPicker({
  personas,
  onPick,
  busy,
}: {
  personas: PersonaView[];
  onPick: (name: string) => void;
  busy: boolean;
}): ReactNode {
  const [choice, setChoice] = useState('');
  const shown = personas.filter((p) => CONSOLE_ROLES.has(p.role));
  return (
    <form
      aria-labelledby="persona-heading"
      onSubmit={(e) => {
        e.preventDefault();
        if (choice !== '') onPick(choice);
      }}
    >
      <h2 id="persona-heading">Development: sign in as a demo persona</h2>
      <p>Patients, clinicians and compliance officers of the demo hospitals. Not available in production.</p>
      <label htmlFor="persona">Persona</label>
      <select
        id="persona"
        value={choice}
        onChange={(e) => {
          setChoice(e.target.value);
        }}
        required
      >
        <option value="">Choose a persona</option>
        {shown.map((p) => (
          <option key={p.name} value={p.name}>
            {p.name} — {p.displayName} ({p.role.replace('_', ' ')}, {p.organisationId})
          </option>
        ))}
      </select>
      <button type="submit" disabled={busy}>
        Sign in
      </button>
    </form>
  );
}
