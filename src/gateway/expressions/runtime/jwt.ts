/** APIM's `AsJwt()` / `TryParseJwt()` and the `Jwt` type, `AsBasic()` / `TryParseBasic()` and BasicAuthCredentials. */
import { NameValues } from '../context';
import { bindClass, csString, defineType, Ref } from './core';
import { CsDateTime } from './datetime';
import { multiMapView } from './multimap';
import { extendType } from './core';
import { STRING } from './primitives';

export class Jwt {
  readonly claims: NameValues;
  constructor(
    readonly header: Record<string, unknown>,
    readonly payload: Record<string, unknown>,
  ) {
    this.claims = new NameValues(undefined, false);
    for (const [name, value] of Object.entries(payload)) {
      for (const item of Array.isArray(value) ? value : [value]) {
        this.claims.append(name, typeof item === 'string' ? item : typeof item === 'object' && item !== null ? JSON.stringify(item) : String(item));
      }
    }
  }
}

/** Decodes a compact JWS (no signature check, as `AsJwt()`); an optional `Bearer ` prefix is allowed. Null when it is not a JWT. */
export function decodeJwt(text: string): Jwt | null {
  const token = text.trim().replace(/^bearer\s+/i, '');
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[0] || !parts[1]) return null;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    if (!header || typeof header !== 'object' || Array.isArray(header) || !payload || typeof payload !== 'object' || Array.isArray(payload)) return null;
    return new Jwt(header, payload);
  } catch {
    return null;
  }
}

function time(value: unknown): CsDateTime | null {
  return typeof value === 'number' ? new CsDateTime(Math.round(value * 1000), 0, 'Utc') : null;
}

const text = (value: unknown) => (value === undefined || value === null ? null : csString(value));

bindClass(
  Jwt,
  defineType({
    fullName: 'Jwt',
    props: {
      Id: (self: Jwt) => text(self.payload.jti),
      Issuer: (self: Jwt) => text(self.payload.iss),
      Subject: (self: Jwt) => text(self.payload.sub),
      Audiences: (self: Jwt) => (self.payload.aud === undefined ? [] : (Array.isArray(self.payload.aud) ? self.payload.aud : [self.payload.aud]).map((a) => csString(a))),
      Claims: (self: Jwt) => multiMapView(self.claims),
      ExpirationTime: (self: Jwt) => time(self.payload.exp),
      NotBefore: (self: Jwt) => time(self.payload.nbf),
      IssuedAt: (self: Jwt) => time(self.payload.iat),
      Algorithm: (self: Jwt) => text(self.header.alg),
      Type: (self: Jwt) => text(self.header.typ),
    },
  }),
);

export class BasicAuthCredentials {
  constructor(
    readonly userId: string,
    readonly password: string,
  ) {}
}

bindClass(
  BasicAuthCredentials,
  defineType({
    fullName: 'BasicAuthCredentials',
    props: { UserId: (self: BasicAuthCredentials) => self.userId, Password: (self: BasicAuthCredentials) => self.password },
  }),
);

export function decodeBasic(text: string): BasicAuthCredentials | null {
  const encoded = text.trim().replace(/^basic\s+/i, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return null;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return new BasicAuthCredentials(decoded.slice(0, colon), decoded.slice(colon + 1));
}

extendType(STRING, {
  methods: {
    AsJwt: (self: string) => decodeJwt(self),
    TryParseJwt: (self: string, [out]) => {
      const jwt = decodeJwt(self);
      (out as Ref).set(jwt);
      return jwt !== null;
    },
    AsBasic: (self: string) => decodeBasic(self),
    TryParseBasic: (self: string, [out]) => {
      const basic = decodeBasic(self);
      (out as Ref).set(basic);
      return basic !== null;
    },
  },
});
