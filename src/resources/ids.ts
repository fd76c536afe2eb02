/**
 * APIM's identifier rules, as data keyed by the ARM path parameter an id fills (`apiId`, `namedValueId`…), from the
 * 2024-05-01 REST specification (apimanagement.json: ApiIdParameter, NamedValueIdParameter, IdParameter for policy
 * fragments…). The repository's loader, extract and the emulator all check ids against this one table.
 *
 * Every id also obeys the service-wide rules, which the specification states for most parameters and ARM imposes on
 * all of them: none of `* # & + : < > ?` (the specification's `^[^*#&+:<>?]+$`); no `/`, `\` or `%`, nor control
 * characters (an id is one segment of the resource path: ARM splits at `/`, turns `\` into `/` and refuses escapes it
 * cannot route); no whitespace (APIM answers "Invalid identifier … specified" to a tag id with spaces); not ending with `.` and no `..` (ARM refuses resource names ending in
 * a period, and a `..` segment is resolved away by URL normalisation). A leading `.` is allowed.
 */

export interface IdRule {
  maxLength: number;
  /** A stricter character rule than the service-wide one, and how to say it. */
  pattern?: { test: RegExp; text: string };
}

const FRAGMENT_ID = { test: /(^[\w]+$)|(^[\w][\w-]+[\w]$)/, text: 'letters, digits, _ and -, not starting or ending with -' };

const ID_RULES: Record<string, IdRule> = {
  apiId: { maxLength: 80 },
  operationId: { maxLength: 80 },
  productId: { maxLength: 256 },
  namedValueId: { maxLength: 256 },
  backendId: { maxLength: 80 },
  policyFragmentId: { maxLength: 80, pattern: FRAGMENT_ID },
  groupId: { maxLength: 256 },
  tagId: { maxLength: 80 },
  versionSetId: { maxLength: 80 },
  sid: { maxLength: 256 },
  userId: { maxLength: 80 },
  loggerId: { maxLength: 256 },
  diagnosticId: { maxLength: 80 },
  apiLinkId: { maxLength: 80 },
  groupLinkId: { maxLength: 80 },
  operationLinkId: { maxLength: 80 },
  productLinkId: { maxLength: 80 },
};

/** Ids of other parameters (none today) get the widest limit the specification gives. */
const DEFAULT_RULE: IdRule = { maxLength: 256 };

// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[*#&+:<>?/\\%\s\u0000-\u001f\u007f]/;
const FORBIDDEN_TEXT = 'none of * # & + : < > ? / \\ %, no whitespace or control characters';

/** An API id may name a revision (`echo-api;rev=3`): the limit is on the API's own id. */
const REVISION_SUFFIX = /;rev=\d+$/;

/** Why `id` is not a valid value of the path parameter `key`, or undefined when it is. */
export function idProblem(key: string, id: string): string | undefined {
  const rule = ID_RULES[key] ?? DEFAULT_RULE;
  const own = key === 'apiId' ? id.replace(REVISION_SUFFIX, '') : id;
  if (own.length === 0) return 'is empty';
  if (own.length > rule.maxLength) return `is ${own.length} characters long; APIM allows at most ${rule.maxLength}`;
  if (FORBIDDEN.test(id)) return `has characters APIM does not allow (${FORBIDDEN_TEXT})`;
  if (id.endsWith('.') || id.includes('..')) return 'ends with a period or holds ".."';
  if (rule.pattern && !rule.pattern.test.test(id)) return `has characters APIM does not allow (allowed: ${rule.pattern.text})`;
  return undefined;
}
