import type { IncomingMessage } from 'node:http';
import type { DevSignIn } from '../auth/dev-sign-in.js';

export interface ConsoleApiOptions {
  readonly mode: 'development' | 'production';
  readonly devSignIn: DevSignIn | undefined;
  readonly issuers: readonly { organisationId: string; name: string; issuer: string; clientId: string }[];
}

export interface ConsoleApiAnswer {
  readonly status: number;
  readonly body?: unknown;
  readonly message?: string;
}

const MAX_BODY = 1024;

/**
 * The console's own endpoints, below /console/api/: how to sign in (`sign-in`: the demo personas
 * in development, the organisations' OpenID Connect issuers in production), and in development a
 * persona's token (`persona-token`). Nothing else: every read and change goes through /graphql.
 */
export async function serveConsoleApi(
  name: string,
  req: IncomingMessage,
  o: Readonly<ConsoleApiOptions>,
): Promise<ConsoleApiAnswer> {
  const method = (req.method ?? 'GET').toUpperCase();
  if (name === 'sign-in' && method === 'GET') {
    return {
      status: 200,
      body: {
        mode: o.mode,
        personas: o.devSignIn ? await o.devSignIn.personas() : null,
        issuers: o.issuers,
      },
    };
  }
  if (name === 'persona-token' && o.devSignIn !== undefined) {
    if (method !== 'POST') return { status: 405, message: 'Use POST on /console/api/persona-token.' };
    return personaToken(o.devSignIn, req);
  }
  return { status: 404, message: 'Not found.' };
}

async function personaToken(signIn: DevSignIn, req: IncomingMessage): Promise<ConsoleApiAnswer> {
  // JSON only: a form on another site cannot send it without a CORS preflight, which is refused.
  if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
    return { status: 415, message: 'Send {"persona": "<name>"} as application/json.' };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return { status: 413, message: `The request body is larger than ${MAX_BODY} bytes.` };
    chunks.push(chunk as Buffer);
  }
  let persona: unknown;
  try {
    persona = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { persona?: unknown }).persona;
  } catch {
    return { status: 400, message: 'The request body is not valid JSON.' };
  }
  if (typeof persona !== 'string' || persona === '') return { status: 400, message: 'Name a persona.' };
  const token = await signIn.token(persona);
  if (token === null) return { status: 404, message: `There is no persona "${persona}".` };
  return { status: 200, body: { token } };
}
