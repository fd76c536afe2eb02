import * as fs from 'fs';
import * as path from 'path';
import { UserError } from '../../diagnostics';
import { maskText, newSigningKeys, startGateway, traceSecrets, type RunningGateway } from '../../gateway';
import { loadAndRender } from '../../render';
import { CallerError, GatewayCaller } from '../../testing/client';
import type { CallerSpec, TokenSpec } from '../../testing/model';
import { repositoryRoot, wantsColor, type CommandOutput, type GlobalArgs } from '../command';
import type { TraceArgs } from '../commands/trace';
import { formatFindings, sortFindings } from '../output';
import { formatTrace } from '../output/trace';

/** An HTTP method is a token (RFC 9110): letters, digits and a few marks. */
const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * `apiops trace`: exit 0 when the gateway answered, whatever the status; 1 when a policy could not run or used what
 * the gateway cannot run (the answer is the emulator's 500); 2 when the request could not be made.
 */
export async function run(args: TraceArgs & GlobalArgs, io: CommandOutput): Promise<number> {
  if (!METHOD.test(args.method)) throw new UserError(`'${args.method}' is not an HTTP method`);
  if (!args.path.startsWith('/')) throw new UserError(`the path must start with /: '${args.path}'`);
  const headers = requestHeaders(args.header ?? []);
  const body = args.body === undefined ? undefined : requestBody(path.resolve(io.cwd, args.body), headers);
  // The token keys are made on the thread pool while this thread reads and renders the repository.
  const signingKeys = newSigningKeys();
  const rendered = loadAndRender(repositoryRoot(args, io.cwd), args.env, io.env);
  io.redact(rendered.secrets);
  const errors = sortFindings(rendered.findings.filter((f) => f.severity === 'error'));
  if (errors.length) {
    io.stderr(formatFindings('stylish', errors, { color: wantsColor(io), failOn: 'error' }));
    io.stderr('apiops trace: calls through the files above answer 500 until they are fixed\n');
  }
  const gateway = await startGateway({ rendered, env: io.env, signingKeys });
  try {
    const caller = new GatewayCaller(gateway, rendered);
    let observed;
    try {
      const request = await caller.prepare({ method: args.method.toUpperCase(), path: args.path, headers, body }, callerOf(gateway, args.subscription), tokenOf(args.token), new Map());
      observed = await caller.send(request);
    } catch (error) {
      if (error instanceof CallerError) throw new UserError(error.message);
      throw error;
    }
    const trace = await caller.traceOf(observed);
    if (!trace) throw new Error('the gateway kept no trace of the request');
    if (args.json) {
      io.stdout(`${JSON.stringify(trace, null, 2)}\n`);
    } else {
      // The trace's response headers are masked as the trace is; the body is masked the same way.
      const responseHeaders = Object.entries(trace.response.headers).map(([name, value]) => `${name}: ${value}\n`);
      const shownBody = maskText(observed.body, traceSecrets(gateway.services));
      io.stdout(`HTTP ${observed.status}\n${responseHeaders.join('')}\n${shownBody}${shownBody && !shownBody.endsWith('\n') ? '\n' : ''}\n`);
      io.stdout(formatTrace(trace, { color: wantsColor(io) }));
    }
    return observed.headers['x-apiops-unsupported'] || observed.headers['x-apiops-error'] ? 1 : 0;
  } finally {
    await gateway.close();
  }
}

function requestHeaders(written: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const header of written) {
    const colon = header.indexOf(':');
    if (colon <= 0) throw new UserError(`--header '${header}': write it as "Name: value"`);
    headers[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
  }
  return headers;
}

function requestBody(file: string, headers: Record<string, string>): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(`--body: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (file.toLowerCase().endsWith('.json') && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  return text;
}

/** A repository subscription by id, else a new subscription of the product of that id. */
function callerOf(gateway: RunningGateway, id: string | undefined): CallerSpec {
  if (id === undefined) return 'none';
  const { repository } = gateway.services;
  if (repository.subscriptions.some((subscription) => subscription.id === id)) return { subscription: id };
  if (repository.products.has(id)) return { product: id };
  const known = [...repository.products.keys(), ...repository.subscriptions.map((subscription) => subscription.id)];
  throw new UserError(`--subscription ${id}: no subscription or product of that id${known.length ? ` (there are: ${[...new Set(known)].sort().join(', ')})` : ''}`);
}

function tokenOf(token: string | undefined): TokenSpec {
  if (token === undefined || token === 'none') return 'none';
  if (token === 'entra' || token === 'entra-v1') return token;
  return { raw: token };
}
