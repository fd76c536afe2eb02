import * as path from 'path';
import { API_SCHEMA_SHAPE, API_SHAPE, RESOLVER_SHAPE, REVISION_SHAPE, type DefinitionShape } from '../extract/definitions';
import { policyFileText } from '../extract/policies';
import { freshYaml } from '../extract/yaml-files';
import type { TemplateContext } from '../policy';
import { parseYaml } from '../repo/yaml';
import { repoPathOf } from '../resources/types';
import type { ApiAdditions, ImportedPolicy } from './apis';

/**
 * The repository files of what extract's layout does not write for an API: its type, current revision and release
 * in api.yaml, its non-current revisions (`revisions/<n>/`), API schemas and GraphQL resolvers.
 */

const IMPORTED_API_SHAPE: DefinitionShape = {
  ...API_SHAPE,
  fields: ['id', 'displayName', 'type', 'description', 'path', 'protocols', 'serviceUrl', 'backend', 'subscriptionRequired', 'versionSet', 'apiVersion', 'revision', 'revisionDescription', 'release', 'specification', 'tags', 'operationTags'],
};

/** A policy file's text as the layout keeps an equivalent one: as written, its template-looking `{{…}}` escaped. */
function policyText(file: string, policy: ImportedPolicy, context: TemplateContext): string {
  return policyFileText(file, { value: policy.text, form: 'rawxml' }, 'scope', policy.text, context).text;
}

export function apiAdditionFiles(apiId: string, additions: ApiAdditions, apiYaml: string | undefined, context: TemplateContext): Map<string, string> {
  const files = new Map<string, string>();
  const apiFile = repoPathOf({ kind: 'api', ids: [apiId] })!;
  const apiFolder = path.posix.dirname(apiFile);
  if (apiYaml !== undefined && Object.keys(additions.fields).length) {
    const data = parseYaml<Record<string, unknown>>(apiFile, apiYaml).document?.data ?? {};
    files.set(apiFile, freshYaml(apiFile, { ...data, ...additions.fields }, IMPORTED_API_SHAPE));
  }
  for (const revision of additions.revisions) {
    const folder = `${apiFolder}/revisions/${revision.number}`;
    files.set(`${folder}/revision.yaml`, freshYaml(`${folder}/revision.yaml`, revision.definition, REVISION_SHAPE));
    if (revision.specification) files.set(`${folder}/${revision.specification.fileName}`, revision.specification.text.replace(/\r\n/g, '\n'));
    if (revision.policy) files.set(`${folder}/policy.xml`, policyText(`${folder}/policy.xml`, revision.policy, context));
    for (const [operationId, policy] of revision.operationPolicies) {
      const file = repoPathOf({ kind: 'operationPolicy', ids: [apiId, operationId] })!.replace(`${apiFolder}/`, `${folder}/`);
      files.set(file, policyText(file, policy, context));
    }
  }
  for (const schema of additions.schemas) {
    const file = repoPathOf({ kind: 'apiSchema', ids: [apiId, schema.id] })!;
    files.set(file, freshYaml(file, schema.definition, API_SCHEMA_SHAPE));
  }
  for (const resolver of additions.resolvers) {
    const file = repoPathOf({ kind: 'graphQLResolver', ids: [apiId, resolver.id] })!;
    files.set(file, freshYaml(file, resolver.definition, RESOLVER_SHAPE));
    if (resolver.policy) {
      const policyFile = repoPathOf({ kind: 'resolverPolicy', ids: [apiId, resolver.id] })!;
      files.set(policyFile, policyText(policyFile, resolver.policy, context));
    }
  }
  return files;
}
