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
};

/** A `schema` finding when `id` breaks APIM's rules for `kind`, else undefined. */
export function checkId(kind: ResourceKind, id: string, pos: SourcePos): Finding | undefined {
  const label = LABELS[kind];
  if (!label) return undefined;
  const keys = resourceType(kind).keys;
  const problem = idProblem(keys[keys.length - 1], id);
  return problem ? { rule: 'schema', severity: 'error', ...pos, message: `${label} '${id}' ${problem}` } : undefined;
}
