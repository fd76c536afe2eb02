import * as path from 'path';
import { UserError } from '../../diagnostics';
import { printEffectivePolicies } from '../../effective';
import { loadAndRender, writeDesiredState } from '../../render';
import { repositoryRoot, wantsColor, type CommandOutput, type GlobalArgs } from '../command';
import type { RenderArgs } from '../commands/render';
import { formatFindings, sortFindings } from '../output';

/** `apiops render`: the rendered desired state written to `--out`, or the effective policies printed. */
export async function run(args: RenderArgs & GlobalArgs, io: CommandOutput): Promise<number> {
  const rendered = loadAndRender(repositoryRoot(args, io.cwd), args.env, io.env);
  io.redact(rendered.secrets);
  const errors = sortFindings(rendered.findings.filter((f) => f.severity === 'error'));
  if (errors.length) {
    io.stderr(formatFindings('stylish', errors, { color: wantsColor(io), failOn: 'error' }));
    io.stderr('apiops render: nothing written; fix the errors above first\n');
    return 2;
  }
  if (args.effective) {
    const known = new Set(rendered.model.apis.map((api) => api.id));
    const unknown = (args.api ?? []).filter((id) => !known.has(id));
    if (unknown.length) throw new UserError(`no API ${unknown.join(', ')} in apis/ (APIs: ${[...known].sort().join(', ') || 'none'})`);
    io.stdout(printEffectivePolicies(rendered, { apis: args.api }));
    return 0;
  }
  const outDir = path.resolve(io.cwd, args.out as string);
  const written = writeDesiredState(rendered.desired, outDir);
  const shown = path.relative(io.cwd, outDir);
  const where = shown === '' ? '.' : shown.startsWith('..') || path.isAbsolute(shown) ? outDir : shown;
  io.stdout(`Rendered environment '${rendered.environment.name}': ${written.length} files in ${where}\n`);
  return 0;
}
