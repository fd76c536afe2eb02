/**
 * Recognising literal secrets. Two kinds of evidence:
 * - the value itself has a secret's shape (private key block, JWT, SAS `sig=`, AccountKey=, an Entra client secret…),
 *   wherever it appears, even inside a policy expression;
 * - the value sits where only a secret belongs (a `password` attribute, an `Ocp-Apim-Subscription-Key` header value,
 *   a YAML key named `clientSecret`) and is a plain literal rather than a `{{named-value}}` or an expression.
 * GUIDs (tenant and client ids) and URLs without credentials are not secrets. Messages never repeat the value.
 */
import { isDynamic } from './checks';

/** Names that only ever hold a credential, as a key in code or JSON (`var password = "…"`, `"client_secret": "…"`). */
const CREDENTIAL_KEY = String.raw`[\w-]*?(?:password|passwd|pwd|secret|client[-_]?secret|api[-_]?key|access[-_]?key|account[-_]?key|subscription[-_]?key|connection[-_]?string|private[-_]?key)`;
/** A quoted literal (possibly with C#-escaped quotes): not empty, not a reference, an expression or a `<placeholder>`. */
const QUOTED_LITERAL = String.raw`\\?["'](?![0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-)[^"'\s{}<>\\@]{6,}\\?["']`;
/** `key = "literal"` (C# assignment or indexer, not `==`/`=>`) or `"key": "literal"` (JSON, object initialisers). */
const CREDENTIAL_ASSIGNMENT = new RegExp(String.raw`(?<![\w-])\\?["']?${CREDENTIAL_KEY}\\?["']?\]?\s*(?:=(?![=>])|:)\s*@?${QUOTED_LITERAL}`, 'i');

/** A string literal holding `user:password`, or its base64 form, where a Basic credential is built (`"Basic " + …`). */
function hasBasicCredentialLiteral(text: string): boolean {
  if (!/\bBasic\b/.test(text)) return false;
  for (const [, literal] of text.matchAll(/"([^"\s{}]{3,})"/g)) {
    if (isUserPassword(literal)) return true;
    if (/^[A-Za-z0-9+/]{12,}={0,2}$/.test(literal) && isUserPassword(Buffer.from(literal, 'base64').toString('latin1'))) return true;
  }
  return false;
}

function isUserPassword(text: string): boolean {
  return /^[\x21-\x39\x3b-\x7e]+:[\x21-\x39\x3b-\x7e][\x20-\x39\x3b-\x7e]{3,}$/.test(text) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(text);
}

const SHAPES: ReadonlyArray<readonly [kind: string, test: RegExp | ((text: string) => boolean)]> = [
  ['private key', /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/],
  ['JSON Web Token', /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/],
  ['SAS signature (sig=)', /[?&;]sig=[A-Za-z0-9%+/=]{16,}/i],
  ['storage account key (AccountKey=)', /\bAccountKey=[A-Za-z0-9+/=]{20,}/i],
  ['shared access key (SharedAccessKey=)', /\bSharedAccessKey=[A-Za-z0-9+/=]{20,}/i],
  // Not a `<placeholder>` or a policy expression `@(…)` computing the password at run time.
  ['password in a connection string', /(?:^|[;\s"'&?])(?:Password|Pwd)=(?![<@])[^;&{}\s'"]{4,}/i],
  ['Entra ID client secret', /(?<![\w~.-])[\w~.-]{3}\dQ~[\w~.-]{31,34}(?![\w~.-])/],
  ['credentials in a URL', /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@{}]+:[^\s/@{}]+@/i],
  ['Azure Functions key (code=)', /[?&]code=[A-Za-z0-9_-]{30,}={0,2}(?![A-Za-z0-9_=-])/],
  ['client secret (client_secret=)', /\bclient_secret=[^&\s"'{}]{6,}/i],
  ['subscription key', /\b(?:subscription-key|Ocp-Apim-Subscription-Key)=[0-9a-f]{32}\b/i],
  ['Basic authentication credentials', /\bBasic\s+[A-Za-z0-9+/]{16,}={0,2}(?![A-Za-z0-9+/=])/],
  ['Basic authentication credentials', hasBasicCredentialLiteral],
  ['credential assigned in code or JSON', CREDENTIAL_ASSIGNMENT],
  ['AWS access key', /\bAKIA[0-9A-Z]{16}\b/],
  ['GitHub token', /\bgh[pousr]_[A-Za-z0-9]{36,}\b/],
];

/** Names (header, query parameter, attribute, YAML key) whose value is a credential. */
const SECRET_NAME =
  /^(?:.*[-_.\s])?(?:password|passwd|pwd|secret|client-?secret|clientsecret|api-?key|apikey|subscription-?key|subscriptionkey|access-?key|accesskey|account-?key|accountkey|functions-?key|shared-?access-?key|token|access-?token|sig|code|authorization|ocp-apim-subscription-key|connection-?string|connectionstring)$/i;

const GUID = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;

/** The kind of secret the text contains, by shape alone. */
export function secretShape(text: string): string | undefined {
  for (const [kind, test] of SHAPES) if (typeof test === 'function' ? test(text) : test.test(text)) return kind;
  return undefined;
}

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name.replace(/([a-z])([A-Z])/g, '$1-$2'));
}

/** True when a value in a secret-only place is a literal credential (not empty, a reference, an expression or a GUID). */
export function isLiteralCredential(value: string): boolean {
  const trimmed = value.trim();
  return trimmed.length >= 6 && !isDynamic(trimmed) && !GUID.test(trimmed) && !/^(true|false)$/i.test(trimmed);
}

export const SECRET_ADVICE = 'keep it in a secret named value (secret: true with valueFromEnv, or keyVault) and reference it as {{name}}';
