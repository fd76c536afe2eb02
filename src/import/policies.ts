import { parsePolicy } from '../policy';
import type { SourceFolder } from './source-folder';

interface PolicyOptions {
  fragment?: boolean;
  form?: 'rawxml' | 'xml';
  roots?: readonly string[];
}

const FRAGMENT_ROOT = /^\s*(<!--[\s\S]*?-->\s*)*<fragment[\s>/]/;

/**
 * Whether a policy (or, with `fragment`, a fragment) parses as APIM's dialect; its syntax errors are recorded where
 * they are. `xml` is the escaped form an instance lists (apiops-cli keeps fragments in it), `rawxml` a policy file.
 */
export function parsesAsPolicy(folder: SourceFolder, file: string, text: string, options: PolicyOptions = {}): boolean {
  const wrapped = options.fragment && !FRAGMENT_ROOT.test(text) ? `<fragment>${text}</fragment>` : text;
  const { document, findings } = parsePolicy(wrapped, file, { form: options.form ?? 'rawxml', ...(options.roots ? { roots: options.roots } : {}) });
  for (const finding of findings) folder.problem(file, finding.message, finding);
  return document !== undefined && !findings.some((finding) => finding.severity === 'error');
}

/** A policy file's text when it parses (else undefined, its errors recorded). */
export function policyTextOf(folder: SourceFolder, file: string, options: PolicyOptions = {}): string | undefined {
  const text = folder.text(file);
  return text !== undefined && parsesAsPolicy(folder, file, text, options) ? text : undefined;
}

/** A GraphQL resolver's policy is its data source. */
export const RESOLVER_POLICY: PolicyOptions = { roots: ['http-data-source'] };
