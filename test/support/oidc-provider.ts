import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider from 'oidc-provider';

export interface TestOidcProvider {
  readonly issuer: string;
  /** The public key its access tokens are signed with, for MERIDIAN_ORG_KEYS_FILE. */
  readonly publicJwk: JWK;
  close(): Promise<void>;
}

export interface TestOidcOptions {
  readonly port: number;
  readonly clientId: string;
  readonly redirectUri: string;
  /** The gateway's token audience (MERIDIAN_TOKEN_AUDIENCE). */
  readonly audience: string;
  /** The roles an account signing in gets, by login name. */
  readonly roles: Readonly<Record<string, readonly string[]>>;
}

/**
 * A real OpenID Connect provider (`oidc-provider`) on 127.0.0.1: authorization code with PKCE for
 * one public client, its development login and consent pages, and JWT access tokens for the
 * gateway carrying the account's `roles`.
 */
export async function startOidcProvider(o: Readonly<TestOidcOptions>): Promise<TestOidcProvider> {
  const issuer = `http://127.0.0.1:${o.port}`;
  const pair = await generateKeyPair('ES256', { extractable: true });
  const kid = 'test-oidc-1';
  const privateJwk = { ...(await exportJWK(pair.privateKey)), kid, alg: 'ES256', use: 'sig' };
  const publicJwk = { ...(await exportJWK(pair.publicKey)), kid, alg: 'ES256', use: 'sig' };
  const resource = 'urn:meridian:gateway';
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: o.clientId,
        token_endpoint_auth_method: 'none',
        redirect_uris: [o.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [privateJwk] },
    findAccount: (_ctx, id) => Promise.resolve({ accountId: id, claims: () => Promise.resolve({ sub: id }) }),
    features: {
      devInteractions: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'openid',
          audience: o.audience,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
    extraTokenClaims: (_ctx, token) => {
      const account = 'accountId' in token ? token.accountId : undefined;
      return Promise.resolve({ roles: [...(o.roles[account ?? ''] ?? [])] });
    },
    pkce: { required: () => true },
    clientBasedCORS: () => true,
  });
  const server: Server = await new Promise((resolve, reject) => {
    const s = provider.listen(o.port, '127.0.0.1', () => {
      resolve(s);
    });
    s.once('error', reject);
  });
  return {
    issuer: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    publicJwk,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
