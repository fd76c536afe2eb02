/** `AsJwt()` and the `Jwt` type. */
export class Jwt {
  constructor(
    readonly header: Record<string, unknown>,
    readonly payload: Record<string, unknown>,
  ) {}
}

/** Decodes a compact JWS (no signature check, as `AsJwt()`); null when it is not a JWT. */
export function decodeJwt(token: string): Jwt | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    if (!header || typeof header !== 'object' || !payload || typeof payload !== 'object') return null;
    return new Jwt(header, payload);
  } catch {
    return null;
  }
}
