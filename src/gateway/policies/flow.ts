/**
 * Control flow and simple state: choose/when/otherwise, set-variable, set-status, set-method, return-response,
 * mock-response, retry, limit-concurrency, trace, include-fragment (already expanded; one left is a missing fragment).
 */
import { messageOf } from '../call';
import { runStatements, type PolicyModule } from '../compiler';
import { EndPipeline, PolicyConfigurationError, PolicyFailure, reasonPhrase, UnsupportedError } from '../errors';
import { NameValues, type ResponseState } from '../expressions';
import { asBoolean, asInteger, asString } from '../values';

const choose: PolicyModule = (element, compiler) => {
  const branches = element.children('when').map((when) => ({ condition: when.required('condition'), statements: when.statements(compiler), pos: when.pos }));
  const otherwise = element.child('otherwise')?.statements(compiler) ?? [];
  if (!branches.length) throw new PolicyConfigurationError('<choose> needs at least one <when>', element.pos);
  return async (call) => {
    for (const branch of branches) {
      if (asBoolean(branch.condition.evaluate(call), 'a when condition', branch.pos)) return runStatements(branch.statements, call);
    }
    return runStatements(otherwise, call);
  };
};

const setVariable: PolicyModule = (element) => {
  const name = element.requiredLiteral('name');
  const value = element.required('value');
  return (call) => {
    call.variables.set(name, value.evaluate(call));
  };
};

const setStatus: PolicyModule = (element) => {
  const code = element.required('code');
  const reason = element.value('reason');
  return (call) => {
    const target = messageOf(call, 'outbound');
    const response = target.kind === 'response' ? target.message : call.ensureResponse();
    response.statusCode = asInteger(code.evaluate(call), 'code', code.pos);
    response.statusReason = reason ? asString(reason.evaluate(call)) : reasonPhrase(response.statusCode);
  };
};

const setMethod: PolicyModule = (element) => {
  const method = element.text();
  return (call) => {
    const target = messageOf(call, 'inbound');
    if (target.kind === 'request') target.message.method = asString(method.evaluate(call)).trim().toUpperCase();
  };
};

/** Ends the pipeline with a new response built by its children (Learn:return-response-policy). */
const returnResponse: PolicyModule = (element, compiler) => {
  const variable = element.literal('response-variable-name');
  const statements = element.statements(compiler, { messageParts: true });
  return async (call) => {
    const base = variable === undefined ? undefined : responseStateOf(call.variables.get(variable));
    const response: ResponseState = base
      ? { statusCode: base.statusCode, statusReason: base.statusReason, headers: copy(base.headers), body: base.body }
      : { statusCode: 200, statusReason: 'OK', headers: new NameValues() };
    call.building.push({ kind: 'response', message: response });
    try {
      await runStatements(statements, call);
    } finally {
      call.building.pop();
    }
    call.response = response;
    throw new EndPipeline();
  };
};

/** The response a send-request stored (the interpreter's IResponse view keeps it as `data`). */
function responseStateOf(value: unknown): ResponseState | undefined {
  const data = (value as { data?: Partial<ResponseState> } | null | undefined)?.data;
  return data && typeof data.statusCode === 'number' && data.headers instanceof NameValues ? (data as ResponseState) : undefined;
}

function copy(headers: NameValues): NameValues {
  const out = new NameValues();
  for (const [name, values] of headers) out.set(name, [...values]);
  return out;
}

/** Answers from the specification's example for the status (Learn:mock-response-policy). */
const mockResponse: PolicyModule = (element, compiler) => {
  const statusValue = element.literal('status-code');
  const status = statusValue === undefined ? 200 : Number(statusValue);
  if (!Number.isInteger(status)) throw new PolicyConfigurationError(`status-code must be an integer, got '${statusValue}'`, element.pos);
  const contentType = element.literal('content-type');
  const { repository } = compiler.services;
  return (call) => {
    const example = repository.example(call.target.api, call.target.operation, status, contentType);
    const body = example?.body;
    if (example && body === undefined) {
      // APIM answers a sample it generates from the schema, in a form it does not document: not guessed here.
      throw new UnsupportedError(`<mock-response> from the schema of the ${status} response, which has no example`, element.pos);
    }
    const headers = new NameValues();
    if (example) headers.set('Content-Type', [example.contentType]);
    else if (contentType) headers.set('Content-Type', [contentType]);
    call.response = {
      statusCode: status,
      statusReason: reasonPhrase(status),
      headers,
      body: body === undefined ? undefined : { content: body, consumed: false },
    };
    throw new EndPipeline();
  };
};

/**
 * Runs its children, then again while `condition` holds, at most `count` more times (Learn:retry-policy). The
 * intervals are not waited for: the backend stub answers at once, and waiting would only slow tests down.
 */
const retry: PolicyModule = (element, compiler) => {
  const condition = element.required('condition');
  const count = element.required('count');
  element.required('interval');
  element.value('max-interval');
  element.value('delta');
  element.value('first-fast-retry');
  const statements = element.statements(compiler);
  return async (call) => {
    const times = asInteger(count.evaluate(call), 'count', count.pos);
    if (times < 1 || times > 50) throw new PolicyConfigurationError(`count of <retry> must be 1 to 50, got ${times}`, count.pos);
    for (let attempt = 0; ; attempt++) {
      await runStatements(statements, call);
      if (attempt >= times || !asBoolean(condition.evaluate(call), 'the retry condition', condition.pos)) return;
    }
  };
};

/** At most max-count calls run its children at once; the next one fails with 429 (Learn:limit-concurrency-policy). */
const limitConcurrency: PolicyModule = (element, compiler) => {
  const key = element.required('key');
  const maxCount = element.required('max-count');
  const statements = element.statements(compiler);
  const { concurrency } = compiler.services;
  return async (call) => {
    const counter = `${element.site.pos.file}:${element.site.pos.line}|${asString(key.evaluate(call))}`;
    const running = concurrency.get(counter) ?? 0;
    if (running >= asInteger(maxCount.evaluate(call), 'max-count', maxCount.pos)) {
      throw new PolicyFailure('limit-concurrency', 'ConcurrencyLimitExceeded', 'Too many concurrent requests.', {
        status: 429,
        reason: 'Too Many Requests',
        message: 'Too many concurrent requests.',
      });
    }
    concurrency.set(counter, running + 1);
    try {
      await runStatements(statements, call);
    } finally {
      concurrency.set(counter, (concurrency.get(counter) ?? 1) - 1);
    }
  };
};

/** Records its message for the caller's trace; does not change the call (Learn:trace-policy). */
const trace: PolicyModule = (element) => {
  element.requiredLiteral('source');
  element.literal('severity');
  const message = element.child('message')?.text();
  const metadata = element.children('metadata').map((m) => ({ name: m.requiredLiteral('name'), value: m.required('value') }));
  return (call) => {
    const parts = [message ? asString(message.evaluate(call)) : '', ...metadata.map((m) => `${m.name}=${asString(m.value.evaluate(call))}`)];
    call.trace(parts.filter(Boolean).join(' '));
  };
};

const includeFragment: PolicyModule = (element) => {
  const id = element.requiredLiteral('fragment-id');
  throw new PolicyConfigurationError(`fragment '${id}' is not defined in policies/fragments/ (or includes itself)`, element.pos);
};

export const flowPolicies: Record<string, PolicyModule> = {
  choose,
  'set-variable': setVariable,
  'set-status': setStatus,
  'set-method': setMethod,
  'return-response': returnResponse,
  'mock-response': mockResponse,
  retry,
  'limit-concurrency': limitConcurrency,
  trace,
  'include-fragment': includeFragment,
};

