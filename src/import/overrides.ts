import type { LiveResource } from '../azure/live-state';
import type { SourcePos } from '../diagnostics';
import { parseYaml } from '../repo/yaml';
import type { ResourceKind } from '../resources/types';
import { isObject, type Properties, type SourceFolder, type Unconvertible } from './source-folder';

/**
 * The other tools' per-environment overrides: `configuration.<env>.yaml` beside the artifacts, sections of
 * `{ name, properties }` entries (nested for an API's diagnostics, policies and operations) whose properties are
 * merged over the artifact's when publishing to that environment. Each file becomes an environment; its entries are
 * applied to a copy of the imported resources, so the repository can be laid out per environment and compared.
 */

export interface EnvironmentOverrides {
  name: string;
  /** Folder-relative configuration file. */
  file: string;
  /** `apimServiceName`, when the file names the environment's instance. */
  serviceName?: string;
  /** The imported resources with this environment's overrides applied (the others shared with the base). */
  resources: LiveResource[];
  /** Where each overridden resource's entry is, by the resource (of `resources`). */
  entries: Map<LiveResource, SourcePos>;
}

const CONFIGURATION = /^configuration\.([A-Za-z0-9][A-Za-z0-9_-]{0,63})\.yaml$/;
/** Azure/apiops's extractor configuration (what to extract) has the same name pattern, and no overrides. */
const NOT_AN_ENVIRONMENT = ['extractor'];

interface Section {
  kind: ResourceKind;
  /** Nested sections of an entry, by their key. */
  children?: Record<string, Section>;
}

const POLICY_SECTION: Section = { kind: 'apiPolicy' };
const SECTIONS: Record<string, Section> = {
  namedValues: { kind: 'namedValue' },
  backends: { kind: 'backend' },
  loggers: { kind: 'logger' },
  diagnostics: { kind: 'diagnostic' },
  versionSets: { kind: 'apiVersionSet' },
  groups: { kind: 'group' },
  subscriptions: { kind: 'subscription' },
  products: { kind: 'product', children: { policies: { kind: 'productPolicy' } } },
  policyFragments: { kind: 'policyFragment' },
  policies: { kind: 'globalPolicy' },
  apis: {
    kind: 'api',
    children: { diagnostics: { kind: 'apiDiagnostic' }, policies: POLICY_SECTION, operations: { kind: 'apiOperation', children: { policies: { kind: 'operationPolicy' } } } },
  },
};
/** Sections of kinds apiops does not hold, and why an entry in one cannot be converted. */
const NOT_HELD_SECTIONS: Record<string, string> = {
  gateways: 'apiops does not manage gateways',
  workspaces: 'apiops does not manage workspaces',
  tags: 'the repository format names tags by their display name, the same in every environment',
};

/** Deep merge as the tools apply an override: objects merge, anything else (lists included) replaces. */
function merged(base: Properties, override: Properties): Properties {
  const result: Properties = { ...base };
  for (const [key, value] of Object.entries(override)) {
    result[key] = isObject(value) && isObject(base[key]) ? merged(base[key] as Properties, value) : value;
  }
  return result;
}

const sameId = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** A pipeline token (`{#name#}` in Azure/apiops, `{#[NAME]#}` in apiops-cli) that the pipeline replaces with a secret. */
const PIPELINE_TOKEN = /^\{#\[?([^\]#]+)\]?#\}$/;

export function readOverrides(folder: SourceFolder, resources: LiveResource[], notes: Unconvertible[]): EnvironmentOverrides[] {
  const environments: EnvironmentOverrides[] = [];
  for (const file of folder.files('', CONFIGURATION)) {
    const name = CONFIGURATION.exec(file)![1];
    const text = folder.text(file);
    if (text === undefined || NOT_AN_ENVIRONMENT.includes(name.toLowerCase())) continue;
    const parsed = parseYaml<unknown>(file, text);
    for (const finding of parsed.findings) folder.problem(file, finding.message, finding);
    const document = parsed.document;
    if (!document) continue;
    const data = document.data ?? {};
    if (!isObject(data)) {
      folder.problem(file, 'expected a mapping of override sections (namedValues, backends, apis, …)');
      continue;
    }
    const environment: EnvironmentOverrides = { name, file, resources: [...resources], entries: new Map() };
    const replace = (original: LiveResource, properties: Properties, at: SourcePos): void => {
      const index = environment.resources.indexOf(original);
      const current = environment.resources[index];
      const overridden: LiveResource = { ref: current.ref, properties: merged(current.properties, properties) };
      environment.resources[index] = overridden;
      environment.entries.set(overridden, at);
    };
    const applySection = (key: string, section: Section, entries: unknown, path: Array<string | number>, parentIds: string[]): void => {
      if (!Array.isArray(entries)) {
        folder.problem(file, `'${key}' is not a list of { name, properties }`, document.locate(path));
        return;
      }
      entries.forEach((entry, index) => {
        const at = document.locate([...path, index]);
        if (!isObject(entry) || typeof entry.name !== 'string') {
          folder.problem(file, `entry ${index + 1} of '${key}' has no name`, at);
          return;
        }
        const ids = section.kind === 'globalPolicy' || section.kind === 'apiPolicy' || section.kind === 'productPolicy' || section.kind === 'operationPolicy' ? parentIds : [...parentIds, entry.name];
        const target = environment.resources.find((resource) => resource.ref.kind === section.kind && resource.ref.ids.length === ids.length && resource.ref.ids.every((id, i) => sameId(id, ids[i])));
        const properties = isObject(entry.properties) ? entry.properties : {};
        if (!target && (Object.keys(properties).length || section.kind !== 'apiOperation')) {
          folder.problem(file, `${describe(section.kind, ids)} is not in the artifacts: an override of nothing (apiops-cli would ignore it)`, at);
        } else if (target && Object.keys(properties).length) {
          replace(target, section.kind === 'api' ? withoutRevision(properties) : properties, at);
          const token = typeof properties.value === 'string' ? PIPELINE_TOKEN.exec(properties.value)?.[1] : undefined;
          if (token && section.kind === 'namedValue' && (properties.secret === true || target.properties.secret === true)) {
            notes.push({ file, line: at.line, column: at.column, reason: `secret '${entry.name}' comes from pipeline token ${token} in environment '${name}': the repository reads it from its valueFromEnv variable (set that variable from ${token} when publishing to ${name})` });
          }
        }
        for (const [childKey, child] of Object.entries(section.children ?? {})) {
          // A child is keyed by its parent as the artifacts spell it (an operation's by its operationId).
          if (entry[childKey] !== undefined) applySection(childKey, child, entry[childKey], [...path, index, childKey], target ? target.ref.ids : ids);
        }
        for (const childKey of Object.keys(entry).filter((k) => !['name', 'properties', ...Object.keys(section.children ?? {})].includes(k))) {
          folder.problem(file, `'${childKey}' overrides of ${describe(section.kind, ids)} cannot be converted: the repository format does not hold them per environment`, document.locate([...path, index, childKey]));
        }
      });
    };
    for (const [key, value] of Object.entries(data)) {
      if (key === 'apimServiceName') {
        if (typeof value === 'string') environment.serviceName = value;
      } else if (SECTIONS[key]) {
        applySection(key, SECTIONS[key], value, [key], []);
      } else if (Array.isArray(value) && value.length === 0) {
        continue;
      } else {
        folder.problem(file, NOT_HELD_SECTIONS[key] ? `'${key}' overrides cannot be converted: ${NOT_HELD_SECTIONS[key]}` : `'${key}' is not an override section`, (document.locateKey ?? document.locate)([key]));
      }
    }
    environments.push(environment);
  }
  return environments;
}

/** The overrides never move an API's revisions (as the tools drop these from API overrides). */
function withoutRevision(properties: Properties): Properties {
  const { apiRevision: _revision, isCurrent: _current, ...rest } = properties;
  return rest;
}

function describe(kind: ResourceKind, ids: string[]): string {
  return ids.length ? `${kind} '${ids.join('/')}'` : kind;
}
