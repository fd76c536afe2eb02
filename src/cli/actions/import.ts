import * as path from 'path';
import { importArtifacts, ImportRefused } from '../../import';
import type { SourceTool } from '../../import/artifacts';
import type { CommandIO, GlobalArgs } from '../command';
import type { ImportArgs } from '../commands/import';

function where(item: ImportRefused['unconvertible'][number]): string {
  return item.line === undefined ? item.file : `${item.file}:${item.line}:${item.column}`;
}

/** `apiops import`: the other tool's artifacts written as a new repository, or (exit 1) what cannot be converted. */
export async function run(args: ImportArgs & GlobalArgs, io: CommandIO): Promise<number> {
  const sourceDir = path.resolve(io.cwd, args.dir);
  const outDir = path.resolve(io.cwd, args.out ?? '.');
  try {
    const result = importArtifacts({ from: args.from as SourceTool, sourceDir, outDir });
    const kinds = Object.entries(result.imported)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([kind, n]) => `${n} ${kind}`);
    const relativeSource = path.relative(io.cwd, sourceDir) || '.';
    io.stdout(
      `${result.written.map((file) => `  written  ${file}\n`).join('')}` +
        `${result.notes.map((note) => `  note     ${path.join(relativeSource, where(note))}: ${note.reason}\n`).join('')}` +
        `Imported ${kinds.join(', ')} from ${args.dir} into ${path.relative(io.cwd, outDir) || '.'} (environments: ${result.environments.join(', ')})\n`,
    );
    return 0;
  } catch (error) {
    if (!(error instanceof ImportRefused)) throw error;
    const relative = path.relative(io.cwd, sourceDir) || '.';
    for (const item of error.unconvertible) io.stderr(`${path.join(relative, where(item))}: cannot convert: ${item.reason}\n`);
    io.stderr(`import: ${error.unconvertible.length} thing(s) cannot be converted; nothing was written\n`);
    return 1;
  }
}
