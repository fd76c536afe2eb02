/**
 * validate-jwt and validate-azure-ad-token (Learn:validate-jwt-policy, validate-azure-ad-token-policy): real
 * signature checks (RS/PS 256–512 against the JWKS the emulator serves for every openid-config URL, or the keys the
 * policy lists; HS* with inline symmetric keys), then lifetime with clock-skew, audience, issuer and required claims,
 * in the order .NET's token handler checks them. Failures carry the reason and the library's message in
 * context.LastError; the caller gets `{ statusCode, message }` with the policy's message, else "JWT not present."
 * for a missing token and "Invalid JWT." for any other failure (what a real gateway answered).
 */
import type { Call } from '../call';
import type { ElementReader, PolicyModule } from '../compiler';
import { PolicyConfigurationError, PolicyFailure, UnsupportedError, reasonPhrase } from '../errors';
import { jwtValue } from '../expressions';
import { joined } from '../headers';
import { decodeJwt, openIdIssuer, rsaKey, verifySignature, type DecodedJwt, type VerificationKey } from '../tokens';
import { asBoolean, asInteger, asString, type Value } from '../values';

interface ClaimRule {
  name: string;
  match: 'all' | 'any';
  separator?: string;
  values: Value[];
}

interface TokenRules {
  keys: (call: Call) => VerificationKey[];
  audiences: Value[];
  issuers: (call: Call) => string[];
  claims: ClaimRule[];
  requireExpiration: boolean;
  requireSigned: boolean;
  clockSkewSeconds: number;
  /** validate-azure-ad-token: the token's appid/azp must be one of these. */
  clientApplicationIds?: Value[];
}

type Verdict = { ok: true; jwt: DecodedJwt } | { ok: false; reason: string; message: string };

function fail(reason: string, message: string): Verdict {
  return { ok: false, reason, message };
}

const asList = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : value === undefined || value === null ? [] : [String(value)]);

function checkToken(token: string, rules: TokenRules, call: Call): Verdict {
  const jwt = decodeJwt(token);
  if (!jwt) return fail('JwtInvalid', `IDX14100: JWT is not well formed, there are no dots (.) or the parts are not Base64Url-encoded JSON.`);
  const alg = String(jwt.header.alg ?? '');
  if (alg === 'none' || jwt.signature.length === 0) {
    if (rules.requireSigned) return fail('TokenSignatureInvalid', 'IDX10504: Unable to validate signature, token does not have a signature.');
  } else {
    const kid = typeof jwt.header.kid === 'string' ? jwt.header.kid : undefined;
    const keys = rules.keys(call).filter((key) => kid === undefined || key.kid === undefined || key.kid === kid);
    if (!keys.length) return fail('TokenSignatureKeyNotFound', `IDX10501: Signature validation failed. Unable to match key: kid: '${kid ?? ''}'.`);
    if (!keys.some((key) => verifySignature(jwt, key))) return fail('TokenSignatureInvalid', 'IDX10511: Signature validation failed.');
  }
  const now = call.now().getTime() / 1000;
  const { exp, nbf } = jwt.payload;
  if (exp === undefined) {
    if (rules.requireExpiration) return fail('TokenExpired', 'IDX10225: Lifetime validation failed. The token is missing an Expiration Time.');
  } else if (typeof exp !== 'number' || exp + rules.clockSkewSeconds < now) {
    return fail('TokenExpired', `IDX10223: Lifetime validation failed. The token is expired. ValidTo: '${isoSeconds(exp)}', Current time: '${isoSeconds(now)}'.`);
  }
  if (typeof nbf === 'number' && nbf - rules.clockSkewSeconds > now) {
    return fail('JwtInvalid', `IDX10222: Lifetime validation failed. The token is not yet valid. ValidFrom: '${isoSeconds(nbf)}', Current time: '${isoSeconds(now)}'.`);
  }
  if (rules.audiences.length) {
    const allowed = rules.audiences.map((a) => asString(a.evaluate(call)));
    const audiences = asList(jwt.payload.aud);
    if (!audiences.some((aud) => allowed.includes(aud))) {
      return fail('TokenAudienceNotAllowed', `IDX10214: Audience validation failed. Audiences: '${audiences.join(', ')}'. Did not match: validationParameters.ValidAudiences: '${allowed.join(', ')}'.`);
    }
  }
  const issuers = rules.issuers(call);
  if (issuers.length && !issuers.includes(String(jwt.payload.iss ?? ''))) {
    return fail('TokenIssuerNotAllowed', `IDX10205: Issuer validation failed. Issuer: '${String(jwt.payload.iss ?? '')}'. Did not match: validationParameters.ValidIssuers: '${issuers.join(', ')}'.`);
  }
  if (rules.clientApplicationIds) {
    const allowed = rules.clientApplicationIds.map((a) => asString(a.evaluate(call)));
    const client = String(jwt.payload.appid ?? jwt.payload.azp ?? '');
    if (!allowed.includes(client)) return fail('TokenClaimValueNotAllowed', `Claim appid value of ${client} is not allowed. Access denied.`);
  }
  const missing = rules.claims.filter((rule) => jwt.payload[rule.name] === undefined).map((rule) => rule.name);
  if (missing.length) return fail('TokenClaimNotFound', `JWT token is missing the following claims: ${missing.join(', ')}. Access denied.`);
  for (const rule of rules.claims) {
    if (!rule.values.length) continue;
    const raw = asList(jwt.payload[rule.name]);
    const present = rule.separator ? raw.flatMap((v) => v.split(rule.separator!)) : raw;
    const wanted = rule.values.map((v) => asString(v.evaluate(call)));
    const ok = rule.match === 'any' ? wanted.some((w) => present.includes(w)) : wanted.every((w) => present.includes(w));
    if (!ok) return fail('TokenClaimValueNotAllowed', `Claim ${rule.name} value of ${raw.join(',')} is not allowed. Access denied.`);
  }
  return { ok: true, jwt };
}

function isoSeconds(seconds: unknown): string {
  return typeof seconds === 'number' && Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : String(seconds);
}

function claimRules(element: ElementReader): ClaimRule[] {
  return (element.child('required-claims')?.children('claim') ?? []).map((claim) => {
    const match = claim.literal('match') ?? 'all';
    if (match !== 'all' && match !== 'any') throw new PolicyConfigurationError(`match must be all or any, got '${match}'`, claim.pos);
    return { name: claim.requiredLiteral('name'), match, separator: claim.literal('separator'), values: claim.children('value').map((v) => v.text()) };
  });
}

function listed(element: ElementReader, list: string, item: string): Value[] {
  return (element.child(list)?.children(item) ?? []).map((v) => v.text());
}

/** How a validation policy answers a refused token. */
function failure(element: ElementReader, verdict: { reason: string; message: string }, call: Call, code: Value | undefined, message: Value | undefined): PolicyFailure {
  const status = code ? asInteger(code.evaluate(call), 'failed-validation-httpcode', code.pos) : 401;
  const text = message ? asString(message.evaluate(call)) : verdict.reason === 'TokenNotPresent' ? 'JWT not present.' : 'Invalid JWT.';
  return new PolicyFailure(element.name, verdict.reason, verdict.message, { status, reason: reasonPhrase(status), message: text });
}

/** The token from the header (without its `Bearer ` scheme) or query parameter; undefined when absent or empty. */
function tokenFrom(call: Call, header: string | undefined, query: string | undefined, scheme: string | undefined): string | undefined | { wrongScheme: true } {
  let text: string | undefined;
  if (header !== undefined) text = joined(call.request.headers, header);
  else if (query !== undefined) text = call.request.url.query.get(query)?.join(',');
  if (text === undefined || !text.trim()) return undefined;
  text = text.trim();
  const space = text.indexOf(' ');
  if (header !== undefined && space > 0) {
    const given = text.slice(0, space);
    if (scheme !== undefined && given.toLowerCase() !== scheme.toLowerCase()) return { wrongScheme: true };
    if (scheme !== undefined || given.toLowerCase() === 'bearer') text = text.slice(space + 1).trim();
  } else if (scheme !== undefined) {
    return { wrongScheme: true };
  }
  return text || undefined;
}

function rejectUnsupportedChildren(element: ElementReader): void {
  const decryption = element.child('decryption-keys');
  if (decryption) throw new UnsupportedError(`<decryption-keys> of <${element.name}> (encrypted tokens)`, decryption.pos);
}

const validateJwt: PolicyModule = (element, compiler) => {
  const headerName = element.literal('header-name');
  const queryName = element.literal('query-parameter-name');
  const tokenValue = element.value('token-value');
  if ([headerName, queryName, tokenValue].filter((x) => x !== undefined).length !== 1) {
    throw new PolicyConfigurationError('<validate-jwt> needs exactly one of header-name, query-parameter-name and token-value', element.pos);
  }
  const code = element.value('failed-validation-httpcode');
  const message = element.value('failed-validation-error-message');
  const requireExpiration = element.value('require-expiration-time');
  const requireSigned = element.value('require-signed-tokens');
  const clockSkew = element.value('clock-skew');
  // require-scheme applies to the Authorization header only; with another header-name APIM ignores it (fact sheet §4).
  const givenScheme = element.literal('require-scheme');
  const scheme = headerName?.toLowerCase() === 'authorization' ? givenScheme : undefined;
  const variable = element.literal('output-token-variable-name');
  const configUrls = element.children('openid-config').map((c) => ({ url: c.required('url'), pos: c.pos }));
  const inlineKeys = (element.child('issuer-signing-keys')?.children('key') ?? []).map((key) => signingKey(key));
  const audiences = listed(element, 'audiences', 'audience');
  const issuerValues = listed(element, 'issuers', 'issuer');
  const claims = claimRules(element);
  rejectUnsupportedChildren(element);
  const trusted = compiler.services.tokens.trustedVerification;
  const metadataIssuers = (call: Call) =>
    configUrls.map(({ url, pos }) => {
      const text = asString(url.evaluate(call));
      const issuer = openIdIssuer(text);
      if (issuer === undefined) throw new UnsupportedError(`openid-config url ${text} (not an OpenID configuration document URL the emulator can serve)`, pos);
      return issuer;
    });
  return (call) => {
    // Unverified: whether APIM also accepts the metadata's issuer when <issuers> is given; the stricter reading
    // accepts only the listed issuers then.
    const rules: TokenRules = {
      keys: (c) => [...inlineKeys.map((k) => k(c)), ...(configUrls.length ? [trusted] : [])],
      audiences,
      issuers: (c) => (issuerValues.length ? issuerValues.map((v) => asString(v.evaluate(c))) : metadataIssuers(c)),
      claims,
      requireExpiration: requireExpiration ? asBoolean(requireExpiration.evaluate(call), 'require-expiration-time', requireExpiration.pos) : true,
      requireSigned: requireSigned ? asBoolean(requireSigned.evaluate(call), 'require-signed-tokens', requireSigned.pos) : true,
      clockSkewSeconds: clockSkew ? asInteger(clockSkew.evaluate(call), 'clock-skew', clockSkew.pos) : 0,
    };
    const token = tokenValue ? asString(tokenValue.evaluate(call)) || undefined : tokenFrom(call, headerName, queryName, scheme);
    if (token === undefined) throw failure(element, { reason: 'TokenNotPresent', message: 'JWT not present.' }, call, code, message);
    if (typeof token !== 'string') throw failure(element, { reason: 'JwtInvalid', message: `Authorization scheme is not ${scheme}.` }, call, code, message);
    const verdict = checkToken(token, rules, call);
    if (!verdict.ok) throw failure(element, verdict, call, code, message);
    call.recorder?.note('claims', verdict.jwt.payload);
    if (variable !== undefined) call.variables.set(variable, jwtValue(token));
  };
};

/** An `issuer-signing-keys/key`: Base64 symmetric text, or an RSA key by `n` and `e`. */
function signingKey(key: ElementReader): (call: Call) => VerificationKey {
  const id = key.literal('id');
  const certificate = key.literal('certificate-id');
  if (certificate !== undefined) throw new UnsupportedError('issuer-signing-keys key certificate-id (certificates are not in the repository)', key.pos);
  const n = key.value('n');
  const e = key.value('e');
  if (n && e) return (call) => rsaKey({ n: asString(n.evaluate(call)), e: asString(e.evaluate(call)), kid: id });
  const text = key.text();
  return (call) => ({ kind: 'symmetric', kid: id, secret: Buffer.from(asString(text.evaluate(call)).trim(), 'base64') });
}

const validateAzureAdToken: PolicyModule = (element, compiler) => {
  const tenant = element.required('tenant-id');
  const headerName = element.literal('header-name') ?? 'Authorization';
  const code = element.value('failed-validation-httpcode');
  const message = element.value('failed-validation-error-message');
  const variable = element.literal('output-token-variable-name');
  const clients = listed(element, 'client-application-ids', 'application-id');
  if (!clients.length) throw new PolicyConfigurationError('<validate-azure-ad-token> needs client-application-ids with at least one application-id', element.pos);
  const backendIds = listed(element, 'backend-application-ids', 'application-id');
  const audiences = [...listed(element, 'audiences', 'audience'), ...backendIds];
  const claims = claimRules(element);
  rejectUnsupportedChildren(element);
  const trusted = compiler.services.tokens.trustedVerification;
  return (call) => {
    const tenantId = asString(tenant.evaluate(call));
    const rules: TokenRules = {
      keys: () => [trusted],
      audiences,
      issuers: () => [`https://sts.windows.net/${tenantId}/`, `https://login.microsoftonline.com/${tenantId}/v2.0`],
      claims,
      requireExpiration: true,
      requireSigned: true,
      clockSkewSeconds: 0,
      clientApplicationIds: clients,
    };
    const token = tokenFrom(call, headerName, undefined, headerName.toLowerCase() === 'authorization' ? 'Bearer' : undefined);
    if (token === undefined) throw failure(element, { reason: 'TokenNotPresent', message: 'JWT not present.' }, call, code, message);
    if (typeof token !== 'string') throw failure(element, { reason: 'JwtInvalid', message: 'Authorization scheme is not Bearer.' }, call, code, message);
    const verdict = checkToken(token, rules, call);
    if (!verdict.ok) throw failure(element, verdict, call, code, message);
    call.recorder?.note('claims', verdict.jwt.payload);
    if (variable !== undefined) call.variables.set(variable, jwtValue(token));
  };
};

export const jwtPolicies: Record<string, PolicyModule> = {
  'validate-jwt': validateJwt,
  'validate-azure-ad-token': validateAzureAdToken,
};

