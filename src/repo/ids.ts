import type { Finding, SourcePos } from '../diagnostics';
import type { ResourceKind } from '../resources/types';

/**
 * APIM's identifier rules for the resources whose ids come from repository folder and file names, from the
 * 2024-05-01 REST specification's path parameters (ApiIdRevParameter, OperationIdParameter, ProductIdParameter,
 * NamedValueIdParameter, BackendIdParameter, IdParameter for policy fragments, GroupIdParameter).
 * Where the specification gives only a length, the service-wide character rule `^[^*#&+:<>?]+$` still applies:
 * those characters break the ARM resource path the id becomes part of. `/` is refused too: an id is one segment of
 * that path (operation ids from a spec and group ids from product.yaml are the ones that could carry it).
 */
const ARM_PATH_SAFE = /^[^*#&+:<>?/]+$/;
const ARM_PATH_SAFE_TEXT = 'none of * # & + : < > ? /';
const FRAGMENT_ID = /(^[\w]+$)|(^[\w][\w-]+[\w]$)/;

interface IdRule {
  label: string;
  maxLength: number;
  pattern: RegExp;
  patternText: string;
}

const ID_RULES: Partial<Record<ResourceKind, IdRule>> = {
  api: { label: 'API id', maxLength: 80, pattern: ARM_PATH_SAFE, patternText: ARM_PATH_SAFE_TEXT },
  apiOperation: { label: 'operation id', maxLength: 80, pattern: ARM_PATH_SAFE, patternText: ARM_PATH_SAFE_TEXT },
  product: { label: 'product id', maxLength: 256, pattern: ARM_PATH_SAFE, patternText: ARM_PATH_SAFE_TEXT },
  namedValue: { label: 'named value id', maxLength: 256, pattern: ARM_PATH_SAFE, patternText: ARM_PATH_SAFE_TEXT },
  backend: { label: 'backend id', maxLength: 80, pattern: ARM_PATH_SAFE, patternText: ARM_PATH_SAFE_TEXT },
  policyFragment: {
    label: 'policy fragment id',
    maxLength: 80,
    pattern: FRAGMENT_ID,
    patternText: 'letters, digits, _ and -, not starting or ending with -',
  },
  group: { label: 'group id', maxLength: 256, pattern: ARM_PATH_SAFE, patternText: ARM_PATH_SAFE_TEXT },
};

/** Why `id` breaks APIM's rules for `kind` ("named value id '…' is empty"), or undefined when it does not. */
export function idProblem(kind: ResourceKind, id: string): string | undefined {
  const rule = ID_RULES[kind];
  if (!rule) return undefined;
  const problem =
    id.length === 0
      ? 'is empty'
      : id.length > rule.maxLength
        ? `is ${id.length} characters long; APIM allows at most ${rule.maxLength}`
        : !rule.pattern.test(id) || /[\s\p{Cc}\p{Cs}]/u.test(id)
          ? `has characters APIM does not allow (allowed: ${rule.patternText}, no whitespace or control characters)`
          : // One segment of the ARM path: `.` and `..` would be resolved away by every URL parser on the way.
            /^\.{1,2}$/.test(id)
            ? 'is a relative path segment'
            : undefined;
  return problem && `${rule.label} '${printable(id)}' ${problem}`;
}

/** The id with control characters as `\\uXXXX`: an id from an instance is printed, and must not drive the terminal. */
function printable(id: string): string {
  return id.replace(/[\p{Cc}\p{Cs}]/gu, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A `schema` finding when `id` breaks APIM's rules for `kind`, else undefined. */
export function checkId(kind: ResourceKind, id: string, pos: SourcePos): Finding | undefined {
  const problem = idProblem(kind, id);
  return problem ? { rule: 'schema', severity: 'error', ...pos, message: problem } : undefined;
}
