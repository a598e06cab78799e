import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { mintToken } from './token-minter.js';
import { TokenVerifier } from './token-verifier.js';

async function keyPair() {
  const pair = await generateKeyPair('ES256', { extractable: true });
  return { publicJwk: await exportJWK(pair.publicKey), privateJwk: await exportJWK(pair.privateKey) };
}

describe('TokenVerifier', () => {
  it("derives the principal from the issuing organisation's configuration, and rejects forgeries", async () => {
    const charite = await keyPair();
    const other = await keyPair();
    const verifier = new TokenVerifier({
      audience: 'meridian-gateway',
      organisations: [
        { id: 'charite-berlin', name: 'Charité', jurisdiction: 'DE', keys: [charite.publicJwk] },
        { id: 'mgh-boston', name: 'MGH', jurisdiction: 'US-MA', keys: [other.publicJwk] },
      ],
      patientJurisdictions: () => Promise.resolve([]),
    });
    const request = {
      organisationId: 'charite-berlin',
      subject: 'dr-weber',
      roles: ['clinician'] as const,
      audience: 'meridian-gateway',
    };
    const good = await mintToken(charite.privateJwk, request);
    await expect(verifier.verify(good)).resolves.toEqual({
      subject: 'dr-weber',
      organisationId: 'charite-berlin',
      jurisdiction: 'DE',
      roles: ['clinician'],
    });

    // Signed by another organisation's key while claiming to be Charité.
    const forged = await mintToken(other.privateJwk, request);
    await expect(verifier.verify(forged)).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: /signature/ });
    const wrongAudience = await mintToken(charite.privateJwk, { ...request, audience: 'someone-else' });
    await expect(verifier.verify(wrongAudience)).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: /aud/ });
    const unknownOrg = await mintToken(charite.privateJwk, { ...request, organisationId: 'nowhere' });
    await expect(verifier.verify(unknownOrg)).rejects.toMatchObject({ message: /unknown organisation/ });
    const patientWithoutId = await mintToken(charite.privateJwk, { ...request, roles: ['patient'] });
    await expect(verifier.verify(patientWithoutId)).rejects.toMatchObject({ message: /must name the patient/ });
    const noRole = await mintToken(charite.privateJwk, { ...request, roles: ['superuser' as 'clinician'] });
    await expect(verifier.verify(noRole)).rejects.toMatchObject({ message: /no known role/ });
  });

  it("takes a token whose issuer is an organisation's OpenID Connect provider as that organisation's, with its keys only", async () => {
    const charite = await keyPair();
    const other = await keyPair();
    const issuer = 'https://login.charite.example';
    const verifier = new TokenVerifier({
      audience: 'meridian-gateway',
      organisations: [
        {
          id: 'charite-berlin',
          name: 'Charité',
          jurisdiction: 'DE',
          keys: [charite.publicJwk],
          oidc: { issuer, clientId: 'meridian-console' },
        },
        { id: 'mgh-boston', name: 'MGH', jurisdiction: 'US-MA', keys: [other.publicJwk] },
      ],
      patientJurisdictions: () => Promise.resolve([]),
    });
    const sign = async (key: typeof charite, iss: string) =>
      new SignJWT({ roles: ['compliance_officer'] })
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' })
        .setIssuer(iss)
        .setSubject('officer-hoffmann')
        .setAudience('meridian-gateway')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(await importJWK(key.privateJwk, 'ES256'));
    await expect(verifier.verify(await sign(charite, issuer))).resolves.toEqual({
      subject: 'officer-hoffmann',
      organisationId: 'charite-berlin',
      jurisdiction: 'DE',
      roles: ['compliance_officer'],
    });
    await expect(verifier.verify(await sign(other, issuer))).rejects.toMatchObject({ message: /signature/ });
    await expect(verifier.verify(await sign(charite, 'https://login.elsewhere.example'))).rejects.toMatchObject({
      message: /unknown organisation/,
    });
  });

  it('takes a patient identity only from a patient identity provider of a jurisdiction the patient is held in', async () => {
    const hospital = await keyPair();
    const frIdp = await keyPair();
    const verifier = new TokenVerifier({
      audience: 'meridian-gateway',
      organisations: [
        { id: 'aphp-paris', name: 'AP-HP', jurisdiction: 'FR', keys: [hospital.publicJwk] },
        { id: 'patient-id-fr', name: 'FR patients', jurisdiction: 'FR', keys: [frIdp.publicJwk], issues: 'patients' },
      ],
      // The ledger's patient index: mp-1 is held in France and Germany, mp-2 in Massachusetts only.
      patientJurisdictions: (id) => Promise.resolve(id === 'mp-1' ? ['FR', 'DE'] : id === 'mp-2' ? ['US-MA'] : []),
    });
    const patientToken = (key: typeof hospital, iss: string, patientId: string): Promise<string> =>
      mintToken(key.privateJwk, {
        organisationId: iss,
        subject: 'p',
        roles: ['patient'],
        patientId,
        audience: 'meridian-gateway',
      });

    await expect(verifier.verify(await patientToken(frIdp, 'patient-id-fr', 'mp-1'))).resolves.toMatchObject({
      roles: ['patient'],
      patientId: 'mp-1',
      jurisdiction: 'FR',
    });
    // A hospital's key vouches for its own staff only, even for a patient it treats.
    await expect(verifier.verify(await patientToken(hospital, 'aphp-paris', 'mp-1'))).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: /own staff only/,
    });
    // The French provider cannot speak for a patient held only in Massachusetts, nor for an unknown one.
    for (const id of ['mp-2', 'mp-unknown']) {
      await expect(verifier.verify(await patientToken(frIdp, 'patient-id-fr', id))).rejects.toMatchObject({
        code: 'UNAUTHENTICATED',
        message: /does not authenticate patients of this patient's jurisdiction/,
      });
    }
    const staffFromIdp = await mintToken(frIdp.privateJwk, {
      organisationId: 'patient-id-fr',
      subject: 'x',
      roles: ['clinician'],
      audience: 'meridian-gateway',
    });
    await expect(verifier.verify(staffFromIdp)).rejects.toMatchObject({ message: /names patients only/ });
  });

  it('refuses a token issued in the future beyond the clock skew, and takes one within it', async () => {
    const charite = await keyPair();
    const verifier = new TokenVerifier({
      audience: 'meridian-gateway',
      clockToleranceSeconds: 60,
      organisations: [{ id: 'charite-berlin', name: 'Charité', jurisdiction: 'DE', keys: [charite.publicJwk] }],
      patientJurisdictions: () => Promise.resolve([]),
    });
    const now = Math.floor(Date.now() / 1000);
    const sign = async (iat: number): Promise<string> =>
      new SignJWT({ roles: ['clinician'] })
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer('charite-berlin')
        .setSubject('dr-weber')
        .setAudience('meridian-gateway')
        .setIssuedAt(iat)
        .setExpirationTime(now + 7200)
        .sign(await importJWK(charite.privateJwk, 'ES256'));
    await expect(verifier.verify(await sign(now + 3600))).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: /iat claim is in the future/,
    });
    await expect(verifier.verify(await sign(now + 30))).resolves.toMatchObject({ subject: 'dr-weber' });
  });
});

describe('TokenVerifier remembering verified tokens', () => {
  const ORG = { id: 'charite-berlin', name: 'Charité', jurisdiction: 'DE' };
  const sign = async (privateJwk: JWK, claims: Record<string, unknown>, iat: number, exp: number): Promise<string> =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(ORG.id)
      .setSubject('dr-weber')
      .setAudience('meridian-gateway')
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(await importJWK(privateJwk, 'ES256'));

  it('never answers from memory at or after exp: an expired token is refused as without memory', async () => {
    const charite = await keyPair();
    let now = Date.now();
    const verifier = new TokenVerifier({
      audience: 'meridian-gateway',
      clockToleranceSeconds: 30,
      organisations: [{ ...ORG, keys: [charite.publicJwk] }],
      patientJurisdictions: () => Promise.resolve([]),
      clock: () => now,
    });
    const iat = Math.floor(now / 1000);
    const token = await sign(charite.privateJwk, { roles: ['clinician'] }, iat, iat + 60);
    await expect(verifier.verify(token)).resolves.toMatchObject({ subject: 'dr-weber' });
    await expect(verifier.verify(token)).resolves.toMatchObject({ subject: 'dr-weber' });
    // Past exp and past the clock tolerance: the memory must not outlive the token.
    now = (iat + 60 + 31) * 1000;
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: /expired/ });
  });

  it('serves only the exact token text: one signature byte changed is verified, and refused', async () => {
    const charite = await keyPair();
    const verifier = new TokenVerifier({
      audience: 'meridian-gateway',
      organisations: [{ ...ORG, keys: [charite.publicJwk] }],
      patientJurisdictions: () => Promise.resolve([]),
    });
    const iat = Math.floor(Date.now() / 1000);
    const token = await sign(charite.privateJwk, { roles: ['clinician'] }, iat, iat + 600);
    await expect(verifier.verify(token)).resolves.toMatchObject({ roles: ['clinician'] });
    const signature = token.slice(token.lastIndexOf('.') + 1);
    const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    const tampered = `${token.slice(0, token.lastIndexOf('.') + 1)}${flipped}`;
    await expect(verifier.verify(tampered)).rejects.toMatchObject({ message: /signature/ });
  });

  it("asks again on every use whether the patient's jurisdiction vouches for them", async () => {
    const idp = await keyPair();
    let heldIn: string[] = ['FR'];
    const verifier = new TokenVerifier({
      audience: 'meridian-gateway',
      organisations: [
        { id: 'patient-id-fr', name: 'FR', jurisdiction: 'FR', keys: [idp.publicJwk], issues: 'patients' },
      ],
      patientJurisdictions: () => Promise.resolve(heldIn),
    });
    const token = await mintToken(idp.privateJwk, {
      organisationId: 'patient-id-fr',
      subject: 'p',
      roles: ['patient'],
      patientId: 'mp-1',
      audience: 'meridian-gateway',
    });
    await expect(verifier.verify(token)).resolves.toMatchObject({ patientId: 'mp-1' });
    heldIn = ['US-MA'];
    await expect(verifier.verify(token)).rejects.toMatchObject({ message: /does not authenticate patients/ });
  });
});
