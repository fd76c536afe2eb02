/**
 * The emulator's token authority: RS256 JWTs signed with a key it publishes as the JWKS of every openid-config URL the
 * policies name (intercepted in-process: the gateway never goes to the network), and a second key nobody publishes
 * for "untrusted" tokens. Also the decoding and signature checks validate-jwt uses.
 */
import { createHmac, createPublicKey, createSign, createVerify, generateKeyPair, randomUUID, timingSafeEqual, type JsonWebKey, type KeyObject } from 'node:crypto';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  jwk: JsonWebKey & { kid: string };
}

/**
 * A new RS256 key, made on libuv's thread pool: an RSA key takes 0.1 s to 1 s of CPU, so keys made together take
 * the time of one on two cores, and the start-up's work on the main thread (reading, rendering) goes on meanwhile.
 */
export function newSigningKey(): Promise<SigningKey> {
  return new Promise((resolve, reject) => {
    generateKeyPair('rsa', { modulusLength: 2048 }, (error, publicKey, privateKey) => {
      if (error) return reject(error);
      const kid = randomUUID().replace(/-/g, '');
      const { n, e } = publicKey.export({ format: 'jwk' });
      resolve({ kid, privateKey, jwk: { kty: 'RSA', use: 'sig', alg: 'RS256', kid, n, e } });
    });
  });
}

/** The token authority's two keys: the one every openid-config publishes and the one nobody does. */
export interface SigningKeys {
  trusted: SigningKey;
  untrusted: SigningKey;
}

export async function newSigningKeys(): Promise<SigningKeys> {
  const [trusted, untrusted] = await Promise.all([newSigningKey(), newSigningKey()]);
  return { trusted, untrusted };
}

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export function signJwt(payload: Record<string, unknown>, key: SigningKey): string {
  const header = { alg: 'RS256', typ: 'JWT', kid: key.kid };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const signature = createSign('RSA-SHA256').update(signingInput).sign(key.privateKey);
  return `${signingInput}.${base64url(signature)}`;
}

export interface DecodedJwt {
  raw: string;
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

/** Undefined when the text is not a compact JWS with JSON header and payload. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => /^[A-Za-z0-9_-]*$/.test(p))) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    if (typeof header !== 'object' || header === null || typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
    return { raw: token, header, payload, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2], 'base64url') };
  } catch {
    return undefined;
  }
}

const RSA_ALGORITHMS: Record<string, { hash: string; pss: boolean }> = {
  RS256: { hash: 'RSA-SHA256', pss: false },
  RS384: { hash: 'RSA-SHA384', pss: false },
  RS512: { hash: 'RSA-SHA512', pss: false },
  PS256: { hash: 'RSA-SHA256', pss: true },
  PS384: { hash: 'RSA-SHA384', pss: true },
  PS512: { hash: 'RSA-SHA512', pss: true },
};
const HMAC_ALGORITHMS: Record<string, string> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };

/** A key validate-jwt may check signatures with: an RSA public key (JWK n/e) or a symmetric secret. */
export type VerificationKey = { kind: 'rsa'; kid?: string; key: KeyObject } | { kind: 'symmetric'; kid?: string; secret: Buffer };

export function rsaKey(jwk: { n: string; e: string; kid?: string }): VerificationKey {
  return { kind: 'rsa', kid: jwk.kid, key: createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' }) };
}

export function verifySignature(jwt: DecodedJwt, key: VerificationKey): boolean {
  const alg = String(jwt.header.alg);
  if (key.kind === 'symmetric') {
    const hash = HMAC_ALGORITHMS[alg];
    if (!hash) return false;
    const expected = createHmac(hash, key.secret).update(jwt.signingInput).digest();
    return expected.length === jwt.signature.length && timingSafeEqual(expected, jwt.signature);
  }
  const rsa = RSA_ALGORITHMS[alg];
  if (!rsa) return false;
  const verifier = createVerify(rsa.hash).update(jwt.signingInput);
  return rsa.pss ? verifier.verify({ key: key.key, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: 32 }, jwt.signature) : verifier.verify(key.key, jwt.signature);
}

/**
 * The metadata Entra ID serves at an openid-config URL, in its v1 or v2 shape (issuer sts.windows.net/<tenant>/ for
 * the v1 URL, login.microsoftonline.com/<tenant>/v2.0 for the v2 one); any other `<issuer>/.well-known/…` URL has
 * that issuer. Undefined for a URL that is not an OpenID configuration document.
 */
export function openIdIssuer(url: string): string | undefined {
  const entra = /^https:\/\/login\.microsoftonline\.com\/([^/]+)(\/v2\.0)?\/\.well-known\/openid-configuration(\?.*)?$/i.exec(url);
  if (entra) return entra[2] ? `https://login.microsoftonline.com/${entra[1]}/v2.0` : `https://sts.windows.net/${entra[1]}/`;
  const generic = /^(https?:\/\/.+?)\/\.well-known\/openid-configuration(\?.*)?$/i.exec(url);
  return generic ? generic[1] : undefined;
}
