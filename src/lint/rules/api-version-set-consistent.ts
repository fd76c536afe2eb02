import { yamlPos } from '../checks';
import { ruleDocsPath, type Rule } from '../context';

export const apiVersionSetConsistent: Rule = {
  id: 'api-version-set-consistent',
  defaultSeverity: 'error',
  description: 'A versioned API whose version set is missing, or two versions of one version set with the same apiVersion: callers cannot reach the version they name.',
  docsUrl: ruleDocsPath('api-version-set-consistent'),
  check(ctx) {
    const { model } = ctx.rendered;
    const versionSets = new Set(model.apiVersionSets.map((set) => set.id));
    /** The first API holding each version of each set (`set\0version`, the original version being ''). */
    const versions = new Map<string, string>();
    for (const api of model.apis) {
      const { apiVersion, versionSet } = api.definition.data ?? {};
      if (versionSet === undefined) {
        if (apiVersion) {
          ctx.report({
            pos: yamlPos(api.definition, 'apiVersion'),
            message: `API ${api.id} has apiVersion ${apiVersion} but no versionSet: callers cannot select that version; add versionSet: <id> (a file in api-version-sets/)`,
          });
        }
        continue;
      }
      if (!versionSets.has(versionSet)) {
        ctx.report({ pos: yamlPos(api.definition, 'versionSet'), message: `API ${api.id} names version set '${versionSet}', which api-version-sets/ does not define` });
        continue;
      }
      const key = `${versionSet}\u0000${(apiVersion ?? '').toLowerCase()}`;
      const owner = versions.get(key);
      if (owner === undefined) {
        versions.set(key, api.id);
        continue;
      }
      const which = apiVersion ? `version ${apiVersion}` : 'the original (unversioned) version';
      ctx.report({
        pos: yamlPos(api.definition, apiVersion ? 'apiVersion' : 'versionSet'),
        message: `APIs ${owner} and ${api.id} are both ${which} of version set ${versionSet}; each version of a set needs its own apiVersion`,
      });
    }
  },
};
