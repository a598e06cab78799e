import * as oauth from 'oauth4webapi';

/** An organisation's OpenID Connect issuer, as the gateway's sign-in options name it. */
export interface Issuer {
  readonly organisationId: string;
  readonly name: string;
  readonly issuer: string;
  readonly clientId: string;
}

/** What must survive the round trip to the issuer: never a token, only what proves the answer is ours. */
interface Pending {
  readonly issuer: Issuer;
  readonly verifier: string;
  readonly state: string;
}

const PENDING = 'meridian.oidc.pending';

function redirectUri(): string {
  return new URL('/console/', window.location.href).toString();
}

/** Plain HTTP only to an issuer on this machine (a local test provider); anything else must be HTTPS. */
// oauth4webapi marks `allowInsecureRequests` deprecated so that it stands out: loopback issuers only.
/* eslint-disable @typescript-eslint/no-deprecated */
function requestOptions(issuer: Issuer): { [oauth.allowInsecureRequests]?: boolean } {
  const url = new URL(issuer.issuer);
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  return url.protocol === 'http:' && loopback ? { [oauth.allowInsecureRequests]: true } : {};
}
/* eslint-enable @typescript-eslint/no-deprecated */

async function discover(issuer: Issuer): Promise<oauth.AuthorizationServer> {
  const url = new URL(issuer.issuer);
  const response = await oauth.discoveryRequest(url, { algorithm: 'oidc', ...requestOptions(issuer) });
  return oauth.processDiscoveryResponse(url, response);
}

/** Authorization code with PKCE (S256): off to the issuer's sign-in page. */
export async function signInWithIssuer(issuer: Issuer): Promise<void> {
  const as = await discover(issuer);
  if (as.authorization_endpoint === undefined) throw new Error(`${issuer.issuer} has no authorization endpoint.`);
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const pending: Pending = { issuer, verifier, state };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set('client_id', issuer.clientId);
  url.searchParams.set('redirect_uri', redirectUri());
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', 'openid');
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', state);
  window.location.assign(url.toString());
}

/**
 * Back from the issuer with `?code=`: exchanges the code (with the PKCE verifier) for the access
 * token the gateway verifies, and removes the code from the address bar. The token stays in
 * memory only. Null when this page load is not such a return.
 */
export async function completeSignIn(): Promise<string | null> {
  const here = new URL(window.location.href);
  const saved = sessionStorage.getItem(PENDING);
  if (saved === null || (!here.searchParams.has('code') && !here.searchParams.has('error'))) return null;
  sessionStorage.removeItem(PENDING);
  window.history.replaceState(null, '', here.pathname);
  const pending = JSON.parse(saved) as Pending;
  const as = await discover(pending.issuer);
  const client: oauth.Client = { client_id: pending.issuer.clientId };
  const params = oauth.validateAuthResponse(as, client, here, pending.state);
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    params,
    redirectUri(),
    pending.verifier,
    requestOptions(pending.issuer),
  );
  const result = await oauth.processAuthorizationCodeResponse(as, client, response);
  return result.access_token;
}
