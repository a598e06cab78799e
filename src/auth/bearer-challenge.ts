/** The realm every challenge names (RFC 6750 section 3). */
export const REALM = 'meridian';

/**
 * The `WWW-Authenticate` value of a 401 (RFC 6750 section 3): without an error code when the
 * request carried no bearer token, `invalid_token` when the token it carried does not verify.
 */
export function bearerChallenge(error?: 'invalid_token'): string {
  return error === undefined ? `Bearer realm="${REALM}"` : `Bearer realm="${REALM}", error="${error}"`;
}
