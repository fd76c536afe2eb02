import { ONE_VALUE, type ApiopsCommand } from '../command';

export interface ImportArgs {
  from: string;
  dir: string;
  out?: string;
}

/** Kept here (not imported from src/import) so that `--help` loads no converter. */
const SOURCE_TOOLS = ['azure-apiops', 'apiops-cli'];

export const importCommand: ApiopsCommand<ImportArgs> = {
  name: 'import <dir>',
  describe: "Convert Azure/apiops or apiops-cli artifacts (and their configuration.<env>.yaml overrides) into this format",
  errorExitCode: 1,
  exitCodes: '0 written; 1 error or something the format cannot hold (nothing written).',
  builder: (y) =>
    y
      .positional('dir', { type: 'string', describe: 'The artifact folder (the one holding apis/, products/, policy.xml …)' })
      .option('from', { type: 'string', ...ONE_VALUE, choices: SOURCE_TOOLS, demandOption: true, describe: 'The tool whose layout DIR is in' })
      .option('out', { type: 'string', ...ONE_VALUE, describe: 'Repository to write (default: the current directory); no existing file is replaced' })
      .example('$0 import --from azure-apiops ./apimartifacts --out ../apim-repo', "Convert Azure/apiops's extractor output")
      .example('$0 import --from apiops-cli ./apim-artifacts --out .', "Convert apiops-cli's extract output"),
  load: () => import('../actions/import'),
};
