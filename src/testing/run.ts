/**
 * Runs test files through one in-process gateway per run, over HTTP and its control endpoints (/.apiops/), as a
 * pipeline would call APIM. Each file starts from a just-started gateway's state (clock, counters, cache, backend
 * stub) and its own subscriptions; its cases run in order and share that state, so a throttling case can be followed
 * by one `after: 61s`. Files run one after another: they would share the one backend stub's recording, and in one
 * process interleaving them would not make the run faster.
 */
import type { SourcePos } from '../diagnostics';
import { resetState, startGateway, type RunningGateway, type TraceDocument } from '../gateway';
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
  options: { env: NodeJS.ProcessEnv; signingKeys?: Promise<SigningKeys> },
): Promise<RunResult> {
  const startedAt = new Date();
  const started = performance.now();
  const gateway = await startGateway({ rendered, env: options.env, signingKeys: options.signingKeys });
  try {
    const runner = new Runner(gateway, rendered);
    const results: FileResult[] = [];
    for (const file of files) results.push(await runner.runFile(file));
    return { environment: rendered.environment.name, startedAt, files: results, durationMs: performance.now() - started };
  } finally {
    await gateway.close();
  }
}

class Runner {
  private readonly caller: GatewayCaller;

  constructor(
    private readonly gateway: RunningGateway,
    rendered: RenderedRepository,
  ) {
    this.caller = new GatewayCaller(gateway, rendered);
  }

  async runFile(file: TestFile): Promise<FileResult> {
    const started = performance.now();
    resetState(this.gateway.services);
    const keys = new Map<string, string>();
    const cases: CaseResult[] = [];
    for (const testCase of file.cases) cases.push(await this.runCase(testCase, keys));
    return { file: file.file, cases, durationMs: performance.now() - started };
  }

  private async runCase(testCase: TestCase, keys: Map<string, string>): Promise<CaseResult> {
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
      const request = await caller.prepare(testCase.request, testCase.caller, testCase.token, keys);
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
