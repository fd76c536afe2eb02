// @actions/workflow-parser imports its schema JSON without `with { type: 'json' }`, which Node 20 refuses: this load
// hook serves such a module as one whose default export is the parsed JSON. Registered with `node --import`.
import { register } from 'node:module';

if (!process.env.APIOPS_HOOK_REGISTERED) {
  process.env.APIOPS_HOOK_REGISTERED = '1';
  register(import.meta.url);
}

export async function load(url, context, nextLoad) {
  if (!url.endsWith('.json') || context.importAttributes?.type === 'json') return nextLoad(url, context);
  const { readFile } = await import('node:fs/promises');
  const source = await readFile(new URL(url), 'utf8');
  return { format: 'module', source: `export default ${source};`, shortCircuit: true };
}
