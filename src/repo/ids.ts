import type { Finding, SourcePos } from '../diagnostics';
import { idProblem } from '../resources/ids';
import { resourceType, type ResourceKind } from '../resources/types';

/** Repository ids (folder and file names, operation ids, product groups) checked against APIM's rules (../resources/ids). */

const LABELS: Partial<Record<ResourceKind, string>> = {
  api: 'API id',
  apiOperation: 'operation id',
  product: 'product id',
  namedValue: 'named value id',
  backend: 'backend id',
  policyFragment: 'policy fragment id',
  group: 'group id',
  tag: 'tag id',
  apiVersionSet: 'API version set id',
  subscription: 'subscription id',
  logger: 'logger id',
  diagnostic: 'diagnostic id',
  apiDiagnostic: 'diagnostic id',
};

/** "named value id '…' is empty": why `id` breaks APIM's rules for `kind`, or undefined when it does not. */
export function idProblemOf(kind: ResourceKind, id: string): string | undefined {
  const label = LABELS[kind] ?? `${kind} id`;
  const keys = resourceType(kind).keys;
  const problem = idProblem(keys[keys.length - 1], id);
  return problem && `${label} '${printable(id)}' ${problem}`;
}

/** The id with control characters as `\\uXXXX`: an id from an instance is printed, and must not drive the terminal. */
function printable(id: string): string {
  // eslint-disable-next-line no-control-regex
  return id.replace(/[\u0000-\u001f\u007f]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A `schema` finding when `id` breaks APIM's rules for `kind`, else undefined. */
export function checkId(kind: ResourceKind, id: string, pos: SourcePos): Finding | undefined {
  const problem = idProblemOf(kind, id);
  return problem ? { rule: 'schema', severity: 'error', ...pos, message: problem } : undefined;
}
