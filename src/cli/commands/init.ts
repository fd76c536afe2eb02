import { CI_SYSTEMS, type CiSystem } from '../../scaffold';
import { ONE_VALUE, type ApiopsCommand } from '../command';

export interface InitArgs {
  dir?: string;
  ci?: CiSystem;
  force: boolean;
}

export const initCommand: ApiopsCommand<InitArgs> = {
  name: 'init [dir]',
  describe: 'Scaffold a repository: config with a local environment, a sample API, product and test, pipeline files',
  errorExitCode: 2,
  exitCodes: '0 written; 2 could not run (a file it would write exists and --force was not given: all named, nothing written).',
  builder: (y) =>
    y
      .positional('dir', { type: 'string', describe: 'Folder of the new repository (default: the current directory, or --repo)' })
      .option('ci', { choices: CI_SYSTEMS, ...ONE_VALUE, describe: 'Also write the pipeline files for this CI system' })
      .option('force', { type: 'boolean', default: false, describe: 'Overwrite files that already exist' })
      .example('$0 init --ci github', 'Scaffold here, with the GitHub Actions pull-request and release workflows')
      .example('$0 init --ci azure-pipelines apim', 'Scaffold the folder apim with an Azure Pipelines file'),
  load: () => import('../actions/init'),
};
