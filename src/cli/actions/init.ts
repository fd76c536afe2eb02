import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../../diagnostics';
import { scaffold } from '../../scaffold';
import { repositoryRoot, type CommandOutput, type GlobalArgs } from '../command';
import type { InitArgs } from '../commands/init';

/** `apiops init`: writes the scaffold, or nothing at all when any of its files exists (unless --force). */
export async function run(args: InitArgs & GlobalArgs, io: CommandOutput): Promise<number> {
  const repository = args.dir ? path.resolve(io.cwd, args.dir) : repositoryRoot(args, io.cwd);
  const files = scaffold(repository, args.ci);
  const existing = files.filter((file) => fs.existsSync(path.join(repository, file.path))).map((file) => file.path);
  if (existing.length > 0 && !args.force) {
    throw new UserError(`not overwriting what ${repository} already has (nothing written; --force overwrites): ${existing.join(', ')}`);
  }
  for (const file of files) {
    const target = path.join(repository, file.path);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, file.content);
  }
  io.stdout(`Initialised an apiops repository in ${repository}:\n${files.map((file) => `  ${file.path}\n`).join('')}`);
  io.stdout(
    [
      '',
      'Next:',
      ...(files.some((file) => file.path === 'package.json') ? ['  npm install                   # installs apiops from package.json'] : []),
      '  npx apiops validate           # schemas, policies, lint rules',
      '  npx apiops test               # the behavioural tests, through the gateway emulator',
      '  npx apiops publish --env local  # into the embedded emulator (.apiops/local)',
      '  then fill in dev and prod in apiops.config.yaml, and set up the Azure login of the pipelines (docs/ci.md of apiops).',
      '',
    ].join('\n'),
  );
  return 0;
}
