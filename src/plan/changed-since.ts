import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { UserError } from '../diagnostics';
import { CONFIG_FILE } from '../repo/loader';
import type { RepoModel } from '../repo/model';
import type { RenderedRepository } from '../render/desired';
import { parseFileName } from '../resources/file-names';
import { RESOURCE_TYPES, type ResourceKind, type ResourceRef } from '../resources/types';
import type { Selection } from './selection';

/**
 * `--changed-since REF` (validate, diff, publish): the selection is what changed since REF, mapped file by file to the
 * resource that file defines: a file in an API's or a product's folder selects that API or product, a named value's,
 * backend's, fragment's, version set's, group's, subscription's, logger's or diagnostic's file selects that resource,
 * policies/global.xml the global policy. What those use comes with them (see ./selection), and they are compared with
 * the live instance as `--api` compares, so drift on a selected resource still shows.
 *
 * "Changed since REF" is what this branch committed since it left REF (`git diff REF...HEAD`, renames as a deletion
 * and an addition) plus what the working tree has not committed (staged, unstaged and untracked files): apiops reads the
 * working tree, so an edit not yet committed is part of what it would publish. A deleted file selects the resource it
 * defined, which the instance is then read for by id: the plan shows its deletion (applied with --prune, as always).
 *
 * When the change cannot be narrowed safely, the selection is everything (the plan as without the option):
 * apiops.config.yaml changed (its values reach any file), or a file in a resource folder that defines no one resource.
 */

export type ChangeScope =
  | { everything: true; files: string[]; reason: string }
  | { everything: false; files: string[]; selection: Selection };

function runGit(root: string, args: string[], ref: string): string[] {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 })
      .split('\0')
      .filter(Boolean);
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === 'ENOENT') throw new UserError('--changed-since needs git on the PATH');
    const said = String(failure.stderr ?? failure.message).trim().split('\n')[0];
    throw new UserError(`--changed-since ${ref}: git ${args[0]} failed: ${said}`);
  }
}

/** `--changed-since REF`: the files changed since REF, asked of git before anything is loaded or read (a bad REF stops there). */
export interface ChangedSince {
  ref: string;
  files: string[];
}

/** `--changed-since` of a command's arguments; undefined without it. */
export function changedSinceOf(root: string, args: { changedSince?: string; api?: string[]; product?: string[] }): ChangedSince | undefined {
  if (args.changedSince === undefined) return undefined;
  if (args.api?.length || args.product?.length) throw new UserError('--changed-since selects by itself: it cannot be combined with --api or --product');
  return { ref: args.changedSince, files: changedFiles(root, args.changedSince) };
}

/** The files (relative to `root`, `/`-separated) changed since `ref`: committed since this branch left it, or not committed. */
export function changedFiles(root: string, ref: string): string[] {
  if (ref === '' || ref.startsWith('-')) throw new UserError(`--changed-since needs a commit (a branch, tag or sha), got '${ref}'`);
  try {
    execFileSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: root, stdio: 'ignore' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError('--changed-since needs git on the PATH');
    throw new UserError(
      `--changed-since ${ref}: no such commit in the git repository at ${root} (in CI, a shallow clone may lack it: fetch the history, e.g. actions/checkout with fetch-depth: 0)`,
    );
  }
  const committed = runGit(root, ['diff', '--name-only', '--no-renames', '--relative', '-z', `${ref}...HEAD`], ref);
  const uncommitted = runGit(root, ['diff', '--name-only', '--no-renames', '--relative', '-z', 'HEAD'], ref);
  const untracked = runGit(root, ['ls-files', '--others', '--exclude-standard', '-z'], ref);
  return [...new Set([...committed, ...uncommitted, ...untracked])].sort();
}

interface FileOwner {
  kind: ResourceKind;
  /** `named-values`, `policies/fragments`, … */
  folder: string;
  suffix: string;
}

/** Kinds defined by a whole folder (`apis/{apiId}/…`) or by one file (`named-values/{namedValueId}.yaml`), from the resource types. */
function owners(): { folders: FileOwner[]; files: FileOwner[]; singletons: Array<{ kind: ResourceKind; file: string }> } {
  const top = RESOURCE_TYPES.filter((type) => type.managed && type.repoPath && !type.parent);
  const owner = (pattern: RegExp) =>
    top.flatMap((type) => {
      const match = pattern.exec(type.repoPath!);
      return match && match[2] === type.keys[0] && type.keys.length === 1 ? [{ kind: type.kind, folder: match[1], suffix: match[3] ?? '' }] : [];
    });
  return {
    folders: owner(/^([^{}]+)\/\{(\w+)\}\/[^/{}]+$/),
    files: owner(/^([^{}]+)\/\{(\w+)\}(\.\w+)$/),
    singletons: top.filter((type) => type.keys.length === 0).map((type) => ({ kind: type.kind, file: type.repoPath! })),
  };
}

/** The model's resources by the file (or, for APIs and products, the folder) they were loaded from. */
function loadedFrom(model: RepoModel): Map<string, ResourceRef> {
  const byFile = new Map<string, ResourceRef>();
  const add = (file: string, kind: ResourceKind, id: string) => byFile.set(file, { kind, ids: [id] });
  for (const api of model.apis) {
    add(path.posix.dirname(api.definition.file), 'api', api.id);
    // A specification may be named from outside the API's folder.
    for (const specification of [api.specification, ...api.revisions.map((revision) => revision.specification)]) if (specification) add(specification.file, 'api', api.id);
  }
  for (const product of model.products) add(path.posix.dirname(product.definition.file), 'product', product.id);
  const files: Array<[ResourceKind, Array<{ id: string; definition: { file: string } }>]> = [
    ['namedValue', model.namedValues],
    ['backend', model.backends],
    ['apiVersionSet', model.apiVersionSets],
    ['group', model.groups],
    ['subscription', model.subscriptions],
    ['logger', model.loggers],
    ['diagnostic', model.diagnostics],
  ];
  for (const [kind, resources] of files) for (const resource of resources) add(resource.definition.file, kind, resource.id);
  for (const [id, fragment] of Object.entries(model.fragments)) add(fragment.file, 'policyFragment', id);
  return byFile;
}

/** What the changed `files` select in `rendered` (see the top of this file). */
export function changeScope(rendered: RenderedRepository, files: string[]): ChangeScope {
  const { folders, files: fileOwners, singletons } = owners();
  const loaded = loadedFrom(rendered.model);
  const resourceRoots = new Set(RESOURCE_TYPES.flatMap((type) => (type.managed && type.repoPath ? [type.repoPath.split('/')[0]] : [])));
  const selected = new Map<string, ResourceRef>();
  const everything = (reason: string): ChangeScope => ({ everything: true, files, reason });
  for (const file of files) {
    if (file === CONFIG_FILE) return everything(`${CONFIG_FILE} changed`);
    const ref = refOfFile(file, loaded, folders, fileOwners, singletons);
    if (ref === 'unknown') return everything(`cannot tell which resource ${file} was (its name is shortened: the id was inside the file)`);
    if (ref) selected.set(`${ref.kind}:${ref.ids.join('/')}`, ref);
    else if (resourceRoots.has(file.split('/')[0])) return everything(`${file} is in a resource folder but defines no one resource`);
  }
  const refs = [...selected.values()];
  const idsOf = (kind: ResourceKind) => refs.filter((ref) => ref.kind === kind).map((ref) => ref.ids[0]);
  return {
    everything: false,
    files,
    selection: {
      apis: idsOf('api'),
      products: idsOf('product'),
      resources: refs.filter((ref) => ref.kind !== 'api' && ref.kind !== 'product'),
      allProductLinks: true,
    },
  };
}

/** The resource `file` defines (or defined, when deleted); undefined for a file that defines none; 'unknown' when a deleted file's name does not say its id. */
function refOfFile(
  file: string,
  loaded: Map<string, ResourceRef>,
  folders: FileOwner[],
  files: FileOwner[],
  singletons: Array<{ kind: ResourceKind; file: string }>,
): ResourceRef | 'unknown' | undefined {
  const singleton = singletons.find((candidate) => candidate.file === file);
  if (singleton) return { kind: singleton.kind, ids: [] };
  const known = loaded.get(file);
  if (known) return known;
  for (const owner of files) {
    const name = file.startsWith(`${owner.folder}/`) ? file.slice(owner.folder.length + 1) : undefined;
    if (name !== undefined && !name.includes('/') && name.endsWith(owner.suffix)) return refOfName(owner.kind, name, owner.suffix);
  }
  for (const owner of folders) {
    const rest = file.startsWith(`${owner.folder}/`) ? file.slice(owner.folder.length + 1) : undefined;
    const name = rest?.split('/')[0];
    if (name && rest!.includes('/')) return loaded.get(`${owner.folder}/${name}`) ?? refOfName(owner.kind, name, '');
  }
  return undefined;
}

function refOfName(kind: ResourceKind, name: string, suffix: string): ResourceRef | 'unknown' {
  const parsed = parseFileName(name, suffix);
  return parsed.shortened ? 'unknown' : { kind, ids: [parsed.id] };
}

/** One line for stderr: what the option selected, or why it selected everything. */
export function describeScope(ref: string, scope: ChangeScope): string {
  const changed = `${scope.files.length} file${scope.files.length === 1 ? '' : 's'} changed since ${ref}`;
  if (scope.everything) return `${changed}; ${scope.reason}: everything is selected.`;
  const { apis, products, resources = [] } = scope.selection;
  const parts = [
    ...(apis.length ? [`API${apis.length === 1 ? '' : 's'} ${apis.join(', ')}`] : []),
    ...(products.length ? [`product${products.length === 1 ? '' : 's'} ${products.join(', ')}`] : []),
    ...resources.map((ref) => (ref.ids.length ? `${ref.kind} ${ref.ids.join('/')}` : ref.kind)),
  ];
  if (!parts.length) return `${changed}, none of them a resource file: nothing is selected.`;
  return `${changed}, selecting ${parts.join('; ')} (and what ${apis.length + products.length + resources.length === 1 ? 'it uses' : 'they use'}).`;
}
