/**
 * The gateway's HTTP side: control endpoints under /.apiops/, then APIM's order for every other request (fact sheet
 * §3): match API and operation (404), check the subscription key (401), run the pipeline, answer. Whatever happens
 * inside, the caller gets an HTTP answer: what the emulator cannot run is a 500 naming it, never a crash.
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Call } from './call';
import { handleControl } from './control';
import { PolicyConfigurationError, PolicyFailure, UnsupportedError } from './errors';
import { NameValues, type RequestState } from './expressions';
import { headersFromRaw, joined, SEPARATE_LINE_HEADERS } from './headers';
import { RequestMatcher } from './matching';
import type { GatewayApi } from './repository';
import type { SourcePos } from '../diagnostics';
import { execute, Programs } from './pipeline';
import { DEFAULT_KEY_HEADER, DEFAULT_KEY_QUERY } from './repository';
import { traceSecrets, type GatewayServices } from './services';
import { summarizeCall, TraceRecorder, type StopReason, type TraceDocument, type TraceInput } from './trace';
import { copyUrl, parseQuery } from './url';
import { bodyBytes } from './call';

const MAX_BODY_BYTES = 64 * 1024 * 1024;
const PREFLIGHT_FALLBACK_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'];

interface Answer {
  status: number;
  reason?: string;
  headers: NameValues;
  body?: Buffer;
}

function json(status: number, body: unknown, headers: Array<[string, string]> = []): Answer {
  return {
    status,
    headers: new NameValues([['Content-Type', 'application/json; charset=utf-8'], ...headers]),
    body: body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8'),
  };
}

/** APIM's own error body: `{ "statusCode", "message" }`. */
function apimError(status: number, message: string, headers: Array<[string, string]> = []): Answer {
  const answer = json(status, { statusCode: status, message }, headers);
  answer.headers.set('Content-Type', ['application/json']);
  return answer;
}

const NOT_FOUND = () => apimError(404, 'Resource not found');
const MISSING_KEY = 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.';
const INVALID_KEY = 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.';

/** On every response of the gateway (not the control endpoints): the call's id, `context.RequestId`, and its trace's. */
export const REQUEST_ID_HEADER = 'x-apiops-request-id';

const DEFAULT_KEY_NAMES = { header: DEFAULT_KEY_HEADER, query: DEFAULT_KEY_QUERY };

/** One request as the server handles it: what its trace is made of. */
interface Handling {
  requestId: string;
  started: number;
  timestamp: Date;
  keyNames: { header: string; query: string };
  /** A control endpoint: no request id, no trace. */
  control?: boolean;
  call?: Call;
  stoppedBy?: StopReason;
}

export class GatewayServer {
  readonly server: http.Server;
  private readonly matcher: RequestMatcher;
  private readonly programs: Programs;

  constructor(
    readonly services: GatewayServices,
    private readonly log?: (line: string) => void,
    private readonly onTrace?: (trace: TraceDocument) => void,
  ) {
    this.matcher = new RequestMatcher(services.repository.apis);
    this.programs = new Programs(services);
    this.server = http.createServer((req, res) => {
      // Last resort: whatever escapes serve() ends this exchange, never the gateway process.
      this.serve(req, res).catch((error: unknown) => {
        this.log?.(`${req.method} ${req.url}: the gateway failed: ${(error as Error).message}`);
        if (!res.headersSent) writeFailure(res, `the gateway failed: ${(error as Error).message}`);
        else res.destroy();
      });
    });
    this.server.on('clientError', (_error, socket) => {
      // A request Node cannot parse: APIM answers 400 as its front end does.
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"statusCode":400,"message":"Bad Request"}');
      else socket.destroy();
    });
  }

  listen(port: number, host: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const address = this.server.address() as AddressInfo;
        resolve(`http://${address.address}:${address.port}`);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const handling: Handling = { requestId: randomUUID(), started: performance.now(), timestamp: this.services.clock.now(), keyNames: DEFAULT_KEY_NAMES };
    let answer: Answer;
    try {
      const body = await readBody(req);
      if (body === 'too large') {
        answer = apimError(413, 'Request entity too large');
        handling.stoppedBy = { kind: 'request-too-large', message: `the request body is over ${MAX_BODY_BYTES} bytes` };
      } else {
        answer = await this.answer(req, body, handling);
      }
    } catch (error) {
      answer = json(500, { statusCode: 500, message: 'Internal server error' }, [['x-apiops-error', headerSafe(`the gateway failed: ${(error as Error).message}`)]]);
    }
    if (!handling.control) {
      answer.headers.set(REQUEST_ID_HEADER, [handling.requestId]);
      this.record(req, handling, answer);
    }
    write(res, answer);
    this.log?.(`${req.method} ${req.url} → ${answer.status}`);
  }

  private record(req: http.IncomingMessage, handling: Handling, answer: Answer): void {
    const { traces } = this.services;
    if (!traces) return;
    const trace: TraceInput = {
      requestId: handling.requestId,
      timestamp: handling.timestamp,
      durationMs: performance.now() - handling.started,
      request: { method: (req.method ?? 'GET').toUpperCase(), url: req.url ?? '/', rawHeaders: req.rawHeaders },
      keyNames: handling.keyNames,
      call: handling.call && summarizeCall(handling.call),
      sections: handling.call?.recorder?.sections,
      stoppedBy: handling.stoppedBy ?? handling.call?.recorder?.stoppedBy,
      response: { status: answer.status, headers: answer.headers },
    };
    traces.add(trace);
    if (this.onTrace) this.onTrace(traces.present(trace.requestId, traceSecrets(this.services))!);
  }

  private async answer(req: http.IncomingMessage, body: Buffer, handling: Handling): Promise<Answer> {
    const rawUrl = req.url ?? '/';
    if (!rawUrl.startsWith('/')) {
      handling.stoppedBy = { kind: 'bad-request', message: 'the request target is not a path' };
      return apimError(400, 'Bad Request');
    }
    const queryAt = rawUrl.indexOf('?');
    const path = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
    const query = parseQuery(queryAt < 0 ? '' : rawUrl.slice(queryAt + 1));
    if (path === '/.apiops' || path.startsWith('/.apiops/')) {
      handling.control = true;
      const reply = handleControl(this.services, req.method ?? 'GET', path, body.toString('utf8'));
      return reply.body === undefined ? { status: reply.status, headers: new NameValues() } : json(reply.status, reply.body);
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const headers = headersFromRaw(req.rawHeaders);
    let match = this.matcher.match(method, path, query, headers);
    const preflight = method === 'OPTIONS' && headers.has('Origin') && headers.has('Access-Control-Request-Method') && !match;
    if (preflight) {
      // The preflight runs the cors of the operation it asks about; one asking for a method no operation has still
      // gets cors's answer (a refusal) from an operation on the same path.
      const asked = (joined(headers, 'Access-Control-Request-Method') ?? '').trim().toUpperCase();
      for (const candidate of [asked, ...PREFLIGHT_FALLBACK_METHODS]) {
        match = this.matcher.match(candidate, path, query, headers);
        if (match) break;
      }
    }
    if (!match) {
      // A GraphQL API has no operations: a call to it is a GraphQL request, which the gateway does not run.
      const graphql = this.matcher.apiAt(path, query, headers)?.api;
      if (graphql?.model.definition.data.type === 'graphql') {
        return refuseUnsupported(new UnsupportedError(`a call to GraphQL API ${graphql.id}`, { file: graphql.model.definition.file, line: 1, column: 1 }), handling);
      }
      handling.stoppedBy = { kind: 'no-match', message: `no API and operation match ${method} ${path}` };
      return NOT_FOUND();
    }
    const { api } = match;
    if (!api.current) return refuseUnsupported(new UnsupportedError(`a call to non-current revision ${api.revision} of API ${api.id} (it is matched, its policies are not run)`, revisionPosition(api)), handling);
    const names = api.subscriptionKeyParameterNames;
    handling.keyNames = names;
    const key = headers.get(names.header)?.[0] ?? query.get(names.query)?.[0];
    const check = this.services.subscriptions.check(api, key, this.services.repository.products);
    const host = headers.get('Host')?.[0] ?? '127.0.0.1';
    if (!check.ok && !(preflight && key === undefined)) {
      const challenge = `AzureApiManagementKey realm="https://${host}/${api.path}",name="${names.header}",type="header"`;
      const message = check.reason === 'SubscriptionKeyNotFound' ? MISSING_KEY : INVALID_KEY;
      handling.stoppedBy = { kind: 'subscription-key', message: `API ${api.id}: ${message}` };
      return apimError(401, message, [
        ['Vary', 'Origin'],
        ['WWW-Authenticate', challenge],
      ]);
    }
    const [hostname, port] = splitHost(host);
    const originalUrl = { scheme: 'https', host: hostname, port, path, query };
    const request: RequestState = {
      method,
      url: copyUrl(originalUrl),
      originalUrl,
      headers,
      body: body.length ? { content: body, consumed: false } : undefined,
      ipAddress: (req.socket.remoteAddress ?? '').replace(/^::ffff:/i, ''),
      matchedParameters: new Map(Object.entries(match.parameters)),
    };
    const target = check.ok ? { api, operation: match.operation, product: check.product, subscription: check.subscription, key: check.key } : { api, operation: match.operation };
    const call = new Call(request, target, handling.requestId, handling.timestamp, () => this.services.clock.now(), this.services.serviceName);
    if (this.services.traces) call.recorder = new TraceRecorder();
    handling.call = call;
    call.preflight = preflight;
    call.backendBase = api.serviceUrl ?? '';
    call.operationPath = match.operationPath;
    call.retarget();
    try {
      await execute(call, this.programs.of(target));
      if (preflight && !call.response) return NOT_FOUND();
      for (const finish of call.onResponse) finish();
    } catch (error) {
      if (error instanceof UnsupportedError || error instanceof PolicyConfigurationError) {
        handling.stoppedBy ??= call.recorder?.stoppedBy ?? { kind: error instanceof UnsupportedError ? 'unsupported' : 'invalid-policy', message: error.message, ...error.pos };
      }
      return emulatorFailure(error, call);
    }
    return callAnswer(call);
  }
}

function emulatorFailure(error: unknown, call: Call): Answer {
  const body = { statusCode: 500, message: 'Internal server error', activityId: call.requestId };
  const placeholders: Array<[string, string]> = call.placeholders.size ? [['x-apiops-placeholder', [...call.placeholders].join(', ')]] : [];
  if (error instanceof UnsupportedError) return json(500, body, [['x-apiops-unsupported', headerSafe(error.header)], ...placeholders]);
  if (error instanceof PolicyConfigurationError) return json(500, body, [['x-apiops-error', headerSafe(error.header)], ...placeholders]);
  // Only an expression evaluated once the response is final (an increment-condition) fails after on-error: APIM's 500.
  if (error instanceof PolicyFailure) return json(500, body, [['x-apiops-error', headerSafe(`an increment-condition evaluated on the final response failed: ${error.message}`)], ...placeholders]);
  throw error;
}

/** What the gateway matched but cannot run, before any policy: APIM's 500, the header naming it, and the trace saying so. */
function refuseUnsupported(error: UnsupportedError, handling: Handling): Answer {
  const { file, line, column } = error.pos;
  handling.stoppedBy = { kind: 'unsupported', message: `${error.what} is not supported by the apiops gateway`, file, line, column };
  return json(500, { statusCode: 500, message: 'Internal server error', activityId: handling.requestId }, [['x-apiops-unsupported', headerSafe(error.header)]]);
}

/** Where a non-current revision is defined: its revision.yaml. */
function revisionPosition(api: GatewayApi): SourcePos {
  const revision = api.model.revisions.find((r) => r.number === api.revision);
  return { file: revision?.definition.file ?? api.model.definition.file, line: 1, column: 1 };
}

function callAnswer(call: Call): Answer {
  const response = call.response ?? { statusCode: 200, statusReason: 'OK', headers: new NameValues() };
  const headers = new NameValues();
  for (const [name, values] of response.headers) headers.set(name, [...values]);
  for (const [name, values] of call.finalHeaders) headers.set(name, [...values]);
  if (call.placeholders.size) headers.set('x-apiops-placeholder', [[...call.placeholders].join(', ')]);
  return { status: response.statusCode, reason: response.statusReason, headers, body: bodyBytes(response.body) };
}

function splitHost(host: string): [string, number] {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
  return match ? [match[1], match[2] ? Number(match[2]) : 443] : [host, 443];
}

/** Header values must be one line of visible ASCII. */
function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}

function readBody(req: http.IncomingMessage): Promise<Buffer | 'too large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? 'too large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function write(res: http.ServerResponse, answer: Answer): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, values] of answer.headers) {
    const lower = name.toLowerCase();
    if (lower === 'content-length' || lower === 'transfer-encoding' || lower === 'connection') continue;
    headers[name] = SEPARATE_LINE_HEADERS.has(lower) ? values : values.join(',');
  }
  const body = answer.body ?? Buffer.alloc(0);
  headers['Content-Length'] = String(body.length);
  try {
    res.writeHead(answer.status, answer.reason || undefined, headers);
  } catch (error) {
    // A status, reason phrase or header value a policy set that HTTP cannot carry: still answer, without them.
    writeFailure(res, `a policy set a status, reason phrase or header HTTP cannot carry: ${(error as Error).message}`);
    return;
  }
  res.end(body);
}

/** APIM's generic 500, with what went wrong in x-apiops-error. */
function writeFailure(res: http.ServerResponse, problem: string): void {
  // writeHead keeps a refused reason phrase for the next attempt: put a valid one back first.
  res.statusMessage = 'Internal Server Error';
  res.writeHead(500, 'Internal Server Error', { 'Content-Type': 'application/json', 'x-apiops-error': headerSafe(problem) });
  res.end('{"statusCode":500,"message":"Internal server error"}');
}
