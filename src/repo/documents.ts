import type { RepoModel, YamlDocument } from './model';

/** Every resource YAML file of the repository (not the config): APIs and their diagnostics, products, named values, … */
export function resourceDocuments(model: RepoModel): Array<YamlDocument<unknown>> {
  const resources: Array<{ definition: YamlDocument<unknown> }> = [
    ...model.apis.flatMap((api) => [api, ...api.diagnostics]),
    ...model.products,
    ...model.namedValues,
    ...model.backends,
    ...model.apiVersionSets,
    ...model.groups,
    ...model.subscriptions,
    ...model.loggers,
    ...model.diagnostics,
  ];
  return resources.map((resource) => resource.definition);
}
