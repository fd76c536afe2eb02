import * as path from 'path';
import { openTarget, readFailure } from '../../azure/target';
import { UserError } from '../../diagnostics';
import { extractInstance, InstanceReadError, type ExtractProgress, type ExtractResult } from '../../extract';
import { loadRepository, CONFIG_FILE } from '../../repo';
import { pickEnvironment } from '../../render';
import { repositoryRoot, type CommandIO, type GlobalArgs } from '../command';
import type { ExtractArgs } from '../commands/extract';

const PHASE_LABELS: Record<ExtractProgress['phase'], string> = {
  read: 'reading the instance',
  export: 'exporting specifications',
  write: 'writing files',
};

/** Progress: a self-updating line on a terminal; one plain line per phase elsewhere (CI logs). */
function progressReporter(io: CommandIO): { report: (progress: ExtractProgress) => void; end: () => void } {
  let lastPhase: string | undefined;
  return {
    report: (progress) => {
      if (io.isTTY) {
        const counter = progress.phase === 'read' ? ` (${progress.done} requests)` : ` ${progress.done}/${progress.total}`;
        io.stderr(`\r\x1b[Kextract: ${PHASE_LABELS[progress.phase]}${counter}`);
      } else if (progress.phase !== lastPhase && (progress.phase !== 'export' || progress.total > 0)) {
        io.stderr(`extract: ${PHASE_LABELS[progress.phase]}${progress.phase === 'export' ? ` (${progress.total})` : ''}\n`);
      }
      lastPhase = progress.phase;
    },
    end: () => {
      if (io.isTTY && lastPhase) io.stderr('\r\x1b[K');
    },
  };
}

function summary(result: ExtractResult, outDir: string, requests: number): string {
  const { extracted } = result;
  const parts = [
    `${extracted.apis} APIs`,
    `${extracted.products} products`,
    `${extracted.namedValues} named values`,
    `${extracted.backends} backends`,
    `${extracted.fragments} fragments`,
    ...(extracted.globalPolicy ? ['the global policy'] : []),
  ];
  const lines = [
    ...result.written.map((file) => `  written  ${file}`),
    ...result.removed.map((file) => `  removed  ${file}`),
    ...result.warnings.map((warning) => `  warning  ${warning}`),
    `Extracted ${parts.join(', ')} into ${outDir}: ${result.written.length} written, ${result.unchanged.length} unchanged, ${result.removed.length} removed (${requests} requests)`,
  ];
  return `${lines.join('\n')}\n`;
}

/** `apiops extract`: the environment's instance written into the repository format. */
export async function run(args: ExtractArgs & GlobalArgs, io: CommandIO): Promise<number> {
  const repoRoot = repositoryRoot(args, io.cwd);
  const { model, findings } = loadRepository(repoRoot);
  const configError = findings.find((finding) => finding.file === CONFIG_FILE && finding.severity === 'error');
  if (configError) throw new UserError(configError.message, configError);
  const environment = pickEnvironment(model, args.env);
  const outDir = path.resolve(io.cwd, args.out ?? repoRoot);
  const target = await openTarget(environment, repoRoot, { concurrency: args.concurrency });
  const progress = progressReporter(io);
  let result: ExtractResult;
  try {
    result = await extractInstance({
      connection: target.connection,
      outDir,
      template: { env: environment.name, values: environment.values },
      apis: args.api,
      products: args.product,
      scaffold: outDir === repoRoot ? undefined : { environment, repoRoot },
      onProgress: progress.report,
    });
  } catch (error) {
    // Only a failed request is the instance's: a repository file that cannot be written names itself.
    throw error instanceof InstanceReadError ? readFailure(error.cause, target) : error;
  } finally {
    progress.end();
    await target.close();
  }
  io.stdout(summary(result, path.relative(io.cwd, outDir) || '.', target.connection.requests.total));
  return 0;
}
