/**
 * Runs test files through in-process gateways, over HTTP and their control endpoints (/.apiops/), as a pipeline would
 * call APIM. The repository is read, its policies resolved and the token keys made once per run; each file then gets a
 * gateway of its own on its own loopback port, so its clock, counters, cache, backend stub and subscriptions are its
 * own and up to `concurrency` files run at the same time without seeing each other. A file's cases run in order
 * and share its state, so a throttling case can be followed by one `after: 61s`.
 */
import type { SourcePos } from '../diagnostics';
import { createLimiter } from '../azure/concurrency';
import { loadGateway, resetState, serveGateway, type LoadedGateway, type RunningGateway, type TraceDocument } from '../gateway';
import type { SigningKeys } from '../gateway/tokens';
import type { RenderedRepository } from '../render/desired';
import { CallerError, GatewayCaller } from './client';
import { checkBackend, checkResponse, type BackendRequest, type Observed } from './expectations';
import type { TestCase, TestFile } from './model';

export type Outcome = 'passed' | 'failed' | 'unsupported';

export interface CaseFailure {
  /** The expectation as written in the file: `expect.backend.token.aud`; `request` when the call could not be made. */
  expectation: string;
  expected?: string;
  actual?: string;
  message: string;
  /** Where the expectation is written. */
  pos: SourcePos;
  /** For `repeat`: which request (1-based) failed. */
  request?: number;
  /** The gateway's trace of the request the failure is about (masked), for the report to show what led there. */
  trace?: TraceDocument;
}

export interface CaseResult {
  name: string;
  pos: SourcePos;
  outcome: Outcome;
  durationMs: number;
  failure?: CaseFailure;
}

export interface FileResult {
  file: string;
  cases: CaseResult[];
  durationMs: number;
}

export interface RunResult {
  environment: string;
  /** When the run started (JUnit's timestamp). */
  startedAt: Date;
  files: FileResult[];
  durationMs: number;
}

export async function runTests(
  rendered: RenderedRepository,
  files: readonly TestFile[],
  options: { env: NodeJS.ProcessEnv; signingKeys?: Promise<SigningKeys>; concurrency: number },
): Promise<RunResult> {
  const startedAt = new Date();
  const started = performance.now();
  const loaded = await loadGateway({ rendered, env: options.env, signingKeys: options.signingKeys });
  const limiter = createLimiter(options.concurrency);
  // Results in the files' order, whichever finishes first.
  const results = await Promise.all(files.map((file) => limiter.run(() => runFile(loaded, rendered, file))));
  return { environment: rendered.environment.name, startedAt, files: results, durationMs: performance.now() - started };
}

async function runFile(loaded: LoadedGateway, rendered: RenderedRepository, file: TestFile): Promise<FileResult> {
  const started = performance.now();
  const gateway = await serveGateway(loaded);
  try {
    const runner = new FileRunner(gateway, rendered);
    const cases: CaseResult[] = [];
    for (const testCase of file.cases) cases.push(await runner.runCase(testCase));
    return { file: file.file, cases, durationMs: performance.now() - started };
  } finally {
    await gateway.close();
  }
}

/** One file's cases against its own gateway; the subscriptions made for its callers are kept for its later cases. */
class FileRunner {
  private readonly caller: GatewayCaller;
  private readonly keys = new Map<string, string>();

  constructor(
    private readonly gateway: RunningGateway,
    rendered: RenderedRepository,
  ) {
    this.caller = new GatewayCaller(gateway, rendered);
  }

  async runCase(testCase: TestCase): Promise<CaseResult> {
    const started = performance.now();
    const result = (outcome: Outcome, failure?: CaseFailure): CaseResult => ({ name: testCase.name, pos: testCase.pos, outcome, durationMs: performance.now() - started, failure });
    const caller = this.caller;
    // A failure about a response (or what the backend got from it) carries the trace of the request behind it.
    const failed = async (outcome: Outcome, failure: CaseFailure, observed: Observed | undefined) => result(outcome, { ...failure, trace: observed && (await caller.traceOf(observed)) });
    try {
      if (testCase.fresh) resetState(this.gateway.services);
      if (testCase.afterSeconds) await caller.control('POST', 'clock', { advanceSeconds: testCase.afterSeconds });
      await caller.control('DELETE', 'backend-requests');
      if (testCase.backendResponse) await caller.control('PUT', 'backend-response', testCase.backendResponse);
      else await caller.control('DELETE', 'backend-response');
      const request = await caller.prepare(testCase.request, testCase.caller, testCase.token, this.keys);
      let last: Observed | undefined;
      for (let i = 1; i <= testCase.repeat; i++) {
        const observed = await caller.send(request);
        last = observed;
        const unsupported = observed.headers['x-apiops-unsupported'];
        const repeatNote = testCase.repeat > 1 ? ` (request ${i} of ${testCase.repeat})` : '';
        const which = testCase.repeat > 1 ? i : undefined;
        if (unsupported) {
          return failed('unsupported', { expectation: 'request', message: `the apiops gateway cannot run ${unsupported}${repeatNote}`, pos: testCase.locate(['request']), request: which }, observed);
        }
        const policyError = observed.headers['x-apiops-error'];
        if (policyError) {
          return failed('failed', { expectation: 'request', message: `a policy cannot run: ${policyError}${repeatNote}`, pos: testCase.locate(['request']), request: which }, observed);
        }
        const wrong = checkResponse(testCase.expect, observed);
        if (wrong) {
          const expectation = wrong.path.join('.');
          const message = `${expectation}${repeatNote}: expected ${wrong.expected}, got ${wrong.actual}`;
          return failed('failed', { expectation, expected: wrong.expected, actual: wrong.actual, message, pos: testCase.locate(wrong.path), request: which }, observed);
        }
      }
      const received = (await caller.control('GET', 'backend-requests')) as BackendRequest[];
      const wrong = checkBackend(testCase.expect, received);
      if (wrong) {
        const expectation = wrong.path.join('.');
        const which = wrong.index !== undefined && received.length > 1 ? ` (backend request ${wrong.index + 1} of ${received.length})` : '';
        const message = `${expectation}${which}: expected ${wrong.expected}, got ${wrong.actual}`;
        return failed('failed', { expectation, expected: wrong.expected, actual: wrong.actual, message, pos: testCase.locate(wrong.path) }, last);
      }
      return result('passed');
    } catch (error) {
      if (!(error instanceof CallerError)) throw error;
      return result('failed', { expectation: error.expectation, message: error.message, pos: testCase.locate(error.path) });
    }
  }
}
