/**
 * Recognising literal secrets. Two kinds of evidence:
 * - the value itself has a secret's shape (private key block, JWT, SAS `sig=`, AccountKey=, an Entra client secret…),
 *   wherever it appears, even inside a policy expression;
 * - the value sits where only a secret belongs (a `password` attribute, an `Ocp-Apim-Subscription-Key` header value,
 *   a YAML key named `clientSecret`) and is a plain literal rather than a `{{named-value}}` or an expression.
 * GUIDs (tenant and client ids) and URLs without credentials are not secrets. Messages never repeat the value.
 */
import { skipRegularString, skipVerbatimString } from '../policy/expression';
import { isDynamic } from './checks';

/** Names that only ever hold a credential, as a key in code or JSON (`var password = "…"`, `"client_secret": "…"`). */
const CREDENTIAL_KEY = String.raw`[\w-]*?(?:password|passwd|pwd|secret|client[-_]?secret|api[-_]?key|access[-_]?key|account[-_]?key|subscription[-_]?key|connection[-_]?string|private[-_]?key)`;
/** A quoted literal (possibly with C#-escaped quotes), captured: not empty, not a reference, an expression or a `<placeholder>`. */
const QUOTED_LITERAL = String.raw`\\?["'](?![0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-)([^"'\s{}<>\\@]{6,})\\?["']`;
/** `key = "literal"` (C# assignment or indexer, not `==`/`=>`) or `"key": "literal"` (JSON, object initialisers). */
const CREDENTIAL_ASSIGNMENT = new RegExp(String.raw`(?<![\w-])\\?["']?${CREDENTIAL_KEY}\\?["']?\]?\s*(?:=(?![=>])|:)\s*@?${QUOTED_LITERAL}`, 'gi');

/**
 * A URL without credentials (those are a shape of their own) or a path: where a secret is kept or a page about one
 * (`"keyVaultSecret": "https://contoso.vault.azure.net/secrets/x"`, `"forgotPassword": "/account/forgot-password"`),
 * never the secret itself.
 */
const URL_OR_PATH = /^(?:[a-z][a-z0-9+.-]*:\/\/[^\s/@]*(?:[/?#]|$)|~?\.{0,2}\/)/i;

function hasCredentialAssignment(text: string): boolean {
  for (const [, value] of text.matchAll(CREDENTIAL_ASSIGNMENT)) if (!URL_OR_PATH.test(value)) return true;
  return false;
}

export interface StringLiteral {
  /** The literal's value, escapes decoded. */
  value: string;
  /** Where the literal starts (its `@`/`$` prefix included) and ends (just past its closing quote). */
  start: number;
  end: number;
}

const ESCAPED: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', '0': '\0' };

/**
 * The C# string literals of a text, in order: regular `"…"` with backslash escapes, verbatim `@"…"` with `""` for a
 * quote, interpolated `$"…"` (holes kept as written). Pairing quotes by position instead would read the code between
 * two literals as one when a literal holds a space or an escaped quote. JSON strings read the same way.
 */
export function stringLiterals(text: string): StringLiteral[] {
  const literals: StringLiteral[] = [];
  for (let quote = text.indexOf('"'); quote >= 0; ) {
    if (isCharLiteralQuote(text, quote)) {
      quote = text.indexOf('"', quote + 1);
      continue;
    }
    const prefix = /[@$]{0,2}$/.exec(text.slice(Math.max(0, quote - 2), quote))![0];
    const verbatim = prefix.includes('@');
    const end = verbatim ? skipVerbatimString(text, quote + 1) : skipRegularString(text, quote + 1);
    if (end > quote + 1 && text[end - 1] === '"') {
      const raw = text.slice(quote + 1, end - 1);
      const value = verbatim ? raw.replace(/""/g, '"') : raw.replace(/\\(.)/g, (_, c: string) => ESCAPED[c] ?? c);
      literals.push({ value, start: quote - prefix.length, end });
    }
    quote = text.indexOf('"', Math.max(end, quote + 1));
  }
  return literals;
}

/** `'"'` or `'\"'`: a C# char literal holding a quote, which starts no string. */
function isCharLiteralQuote(text: string, quote: number): boolean {
  return text[quote + 1] === "'" && (text[quote - 1] === "'" || (text[quote - 1] === '\\' && text[quote - 2] === "'"));
}

/**
 * A string literal holding `user:password`, or its base64 form, where a Basic credential is built: concatenated to
 * `"Basic "`, or the argument of `GetBytes(…)` in text using the Basic scheme. Other `a:bcde` literals near the word
 * Basic (`"urn:basic"`, `"Content-Type:json"`, `"realm:contoso"`) are not credentials.
 */
function hasBasicCredentialLiteral(text: string): boolean {
  if (!/\bBasic\b/.test(text)) return false;
  const literals = stringLiterals(text);
  return literals.some((literal, index) => {
    const previous = literals[index - 1];
    const codeBefore = text.slice(previous?.end ?? 0, literal.start);
    const afterBasicScheme = previous !== undefined && /^Basic\s+$/i.test(previous.value) && /^\s*\+\s*$/.test(codeBefore);
    const bytesOf = /\bGetBytes\s*\(\s*$/.test(codeBefore) && /^\s*\)/.test(text.slice(literal.end));
    return (afterBasicScheme || bytesOf) && isBasicCredential(literal.value);
  });
}

function isBasicCredential(value: string): boolean {
  if (/[{}]/.test(value)) return false; // named values, Liquid and interpolation holes are filled in at run time
  return isUserPassword(value) || (/^[A-Za-z0-9+/]{12,}={0,2}$/.test(value) && isUserPassword(Buffer.from(value, 'base64').toString('latin1')));
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
  ['credential assigned in code or JSON', hasCredentialAssignment],
  ['AWS access key', /\bAKIA[0-9A-Z]{16}\b/],
  ['GitHub token', /\bgh[pousr]_[A-Za-z0-9]{36,}\b/],
];

/** Names (header, query parameter, attribute, YAML key) whose value is a credential. */
const SECRET_NAME =
  /^(?:.*[-_.\s])?(?:password|passwd|pwd|secret|client-?secret|clientsecret|api-?key|apikey|subscription-?key|subscriptionkey|access-?key|accesskey|account-?key|accountkey|functions-?key|shared-?access-?key|token|access-?token|sig|code|authorization|ocp-apim-subscription-key|connection-?string|connectionstring)$/i;

const GUID = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;

/**
 * Shapes already worked out, by text: validate lints every environment, mostly over the same texts, and the shapes'
 * patterns were most of inline-secret's time. A shape depends on the text alone (what each environment reports
 * about it, and where, does not come from here). Emptied when full, so a long run does not keep every text it saw.
 */
const knownShapes = new Map<string, string | undefined>();
const MAX_KNOWN_SHAPES = 10_000;

/** The kind of secret the text contains, by shape alone. */
export function secretShape(text: string): string | undefined {
  if (knownShapes.has(text)) return knownShapes.get(text);
  if (knownShapes.size >= MAX_KNOWN_SHAPES) knownShapes.clear();
  const shape = SHAPES.find(([, test]) => (typeof test === 'function' ? test(text) : test.test(text)))?.[0];
  knownShapes.set(text, shape);
  return shape;
}

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name.replace(/([a-z])([A-Z])/g, '$1-$2'));
}

/** True when a value in a secret-only place is a literal credential (not empty, a reference, an expression, a GUID, a URL or path). */
export function isLiteralCredential(value: string): boolean {
  const trimmed = value.trim();
  return trimmed.length >= 6 && !isDynamic(trimmed) && !GUID.test(trimmed) && !URL_OR_PATH.test(trimmed) && !/^(true|false)$/i.test(trimmed);
}

export const SECRET_ADVICE = 'keep it in a secret named value (secret: true with valueFromEnv, or keyVault) and reference it as {{name}}';
