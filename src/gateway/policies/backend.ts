/**
 * Reaching backends: set-backend-service, rewrite-uri, forward-request, send-request, authentication-managed-identity
 * and send-request's set-url. Every backend is the recording stub (the gateway never goes to the network).
 */
import { bodyBytes, messageOf, type Call } from '../call';
import { runStatements, type PolicyModule } from '../compiler';
import { internalServerError, PolicyConfigurationError, PolicyFailure, reasonPhrase } from '../errors';
import { NameValues, responseValue, type RequestState, type ResponseState } from '../expressions';
import { copyNames, lowerCaseRecord } from '../headers';
import type { BackendStub } from '../services';
import { copyUrl, formatUrl, parseAbsoluteUrl, parseQuery } from '../url';
import { parseUrlTemplate } from '../url-template';
import { asBoolean, asInteger, asString } from '../values';

/** Headers a forwarder never copies: hop-by-hop, and the length it computes itself. */
const NOT_FORWARDED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'host', 'upgrade', 'proxy-connection']);

async function send(
  stub: BackendStub,
  request: RequestState,
  timeoutMs: number,
): Promise<ResponseState | 'timeout'> {
  const headers = new NameValues();
  for (const [name, values] of request.headers) if (!NOT_FORWARDED.has(name.toLowerCase())) headers.set(name, [...values]);
  const body = bodyBytes(request.body);
  const recordedHeaders = { host: request.url.host, ...lowerCaseRecord(headers), ...(body?.length ? { 'content-length': String(body.length) } : {}) };
  const answer = await stub.answer({ url: formatUrl(request.url), method: request.method, headers: recordedHeaders, body: body?.toString('utf8') ?? '' }, timeoutMs);
  if (answer === 'timeout') return 'timeout';
  return { statusCode: answer.status, statusReason: reasonPhrase(answer.status), headers: answer.headers, body: answer.body.length ? { content: answer.body, consumed: false } : undefined };
}

const forwardRequest: PolicyModule = (element, compiler) => {
  const timeout = element.value('timeout');
  const timeoutMs = element.value('timeout-ms');
  const failOnError = element.value('fail-on-error-status-code');
  element.value('follow-redirects');
  element.value('buffer-request-body');
  element.value('buffer-response');
  const { backend } = compiler.services;
  return async (call) => {
    const ms = timeoutMs ? asInteger(timeoutMs.evaluate(call), 'timeout-ms', timeoutMs.pos) : 1000 * (timeout ? asInteger(timeout.evaluate(call), 'timeout', timeout.pos) : 300);
    if (!call.backendBase) {
      throw new PolicyFailure('forward-request', 'BackendConnectionFailure', 'The API has no backend: set its serviceUrl or backend, or use set-backend-service.');
    }
    call.recorder?.note('backend', { method: call.request.method, url: formatUrl(call.request.url), timeoutMs: ms });
    const response = await send(backend, call.request, ms);
    if (response === 'timeout') throw new PolicyFailure('forward-request', 'Timeout', `Request to the backend service timed out after ${ms} ms.`, internalServerError());
    call.response = response;
    if (failOnError && asBoolean(failOnError.evaluate(call), 'fail-on-error-status-code', failOnError.pos) && response.statusCode >= 400) {
      throw new PolicyFailure('forward-request', 'BackendStatusCode', `The backend answered ${response.statusCode}.`, {
        status: response.statusCode,
        reason: response.statusReason,
      });
    }
  };
};

const setBackendService: PolicyModule = (element, compiler) => {
  const baseUrl = element.value('base-url');
  const backendId = element.value('backend-id');
  if (!baseUrl === !backendId) throw new PolicyConfigurationError('<set-backend-service> needs exactly one of base-url and backend-id', element.pos);
  const { backends } = compiler.services.repository;
  if (backendId?.literal !== undefined && !backends.has(backendId.literal)) {
    throw new PolicyConfigurationError(`backend '${backendId.literal}' is not defined in backends/`, backendId.pos);
  }
  return (call) => {
    if (baseUrl) {
      call.backendBase = asString(baseUrl.evaluate(call));
    } else if (backendId) {
      const id = asString(backendId.evaluate(call));
      const url = backends.get(id);
      if (url === undefined) throw new PolicyFailure('set-backend-service', 'BackendNotFound', `Backend with id '${id}' could not be found.`);
      call.recorder?.note('backend', { id, url });
      call.backendBase = url;
    }
    call.retarget();
  };
};

/**
 * rewrite-uri: the template's `{parameter}`s take the matched values; with copy-unmatched-params (default true) the
 * request's query parameters that the operation's template does not name are kept.
 */
const rewriteUri: PolicyModule = (element) => {
  const template = element.required('template');
  const copyUnmatched = element.value('copy-unmatched-params');
  return (call) => {
    const text = asString(template.evaluate(call)).replace(/\{([^}]+)\}/g, (_all, name: string) => {
      const value = call.request.matchedParameters.get(name);
      // "You can't add extra template path parameters in the rewrite URL" (Learn:rewrite-uri-policy): APIM refuses it.
      if (value === undefined) throw new PolicyConfigurationError(`template of <rewrite-uri> names {${name}}, which is not a parameter of the operation's URL template ${call.operation.urlTemplate}`, template.pos);
      return encodeURIComponent(value);
    });
    const [path, search = ''] = text.split('?', 2);
    const query = parseQuery(search);
    const copy = copyUnmatched ? asBoolean(copyUnmatched.evaluate(call), 'copy-unmatched-params', copyUnmatched.pos) : true;
    if (copy) {
      const templated = new Set(parseUrlTemplate(call.operation.urlTemplate).query.map((q) => q.name));
      for (const [name, values] of call.request.url.query) if (!templated.has(name.toLowerCase()) && !query.has(name)) query.set(name, [...values]);
    }
    call.operationPath = path.startsWith('/') ? path : `/${path}`;
    call.request.url.query = query;
    call.retarget();
  };
};

/**
 * Sets `Authorization: Bearer <token>` from the gateway's managed identity (or, with output-token-variable-name,
 * stores the token there instead). Learn:authentication-managed-identity-policy.
 */
const authenticationManagedIdentity: PolicyModule = (element, compiler) => {
  const resource = element.required('resource');
  const clientId = element.literal('client-id');
  const variable = element.literal('output-token-variable-name');
  element.value('ignore-error');
  const { tokens } = compiler.services;
  return (call) => {
    const resourceId = asString(resource.evaluate(call));
    const token = tokens.managedIdentityToken(resourceId, clientId);
    call.recorder?.note('managedIdentityToken', { resource: resourceId, ...(clientId ? { clientId } : {}), ...(variable !== undefined ? { variable } : { header: 'Authorization' }) });
    if (variable !== undefined) {
      call.variables.set(variable, token);
      return;
    }
    const target = messageOf(call, 'inbound');
    target.message.headers.set('Authorization', [`Bearer ${token}`]);
  };
};

const setUrl: PolicyModule = (element) => {
  const url = element.text();
  return (call) => {
    const target = messageOf(call, 'inbound');
    const text = asString(url.evaluate(call)).trim();
    const parsed = parseAbsoluteUrl(text);
    if (!parsed) throw new PolicyFailure('send-request', 'InvalidUrl', `Invalid URI: ${text}`);
    if (target.kind === 'request') target.message.url = parsed;
  };
};

/** send-request (Learn:send-request-policy): the response (or null with ignore-error) lands in a variable. */
const sendRequest: PolicyModule = (element, compiler) => {
  const mode = element.literal('mode') ?? 'new';
  if (mode !== 'new' && mode !== 'copy') throw new PolicyConfigurationError(`mode must be new or copy, got '${mode}'`, element.pos);
  const variable = element.requiredLiteral('response-variable-name');
  const timeout = element.value('timeout');
  const ignoreError = element.value('ignore-error');
  const statements = element.statements(compiler, { messageParts: true });
  const { backend } = compiler.services;
  return async (call: Call) => {
    const request: RequestState =
      mode === 'copy'
        ? { ...call.request, url: copyUrl(call.request.url), headers: copyNames(call.request.headers), matchedParameters: new Map(call.request.matchedParameters) }
        : { method: 'GET', url: { scheme: 'https', host: '', port: 443, path: '/', query: new NameValues(undefined, false) }, originalUrl: call.request.originalUrl, headers: new NameValues(), ipAddress: call.request.ipAddress, matchedParameters: new Map() };
    call.building.push({ kind: 'request', message: request });
    try {
      await runStatements(statements, call);
    } finally {
      call.building.pop();
    }
    const ignore = ignoreError ? asBoolean(ignoreError.evaluate(call), 'ignore-error', ignoreError.pos) : false;
    if (!request.url.host) {
      if (ignore) return void call.variables.set(variable, null);
      throw new PolicyFailure('send-request', 'InvalidUrl', 'send-request needs a set-url with an absolute URL.');
    }
    const seconds = timeout ? asInteger(timeout.evaluate(call), 'timeout', timeout.pos) : 60;
    call.recorder?.note('request', { method: request.method, url: formatUrl(request.url) });
    const response = await send(backend, request, seconds * 1000);
    if (response === 'timeout') {
      if (ignore) return void call.variables.set(variable, null);
      throw new PolicyFailure('send-request', 'Timeout', `Request to ${formatUrl(request.url)} timed out after ${seconds} s.`);
    }
    call.variables.set(variable, responseValue(response));
  };
};

export const backendPolicies: Record<string, PolicyModule> = {
  'forward-request': forwardRequest,
  'set-backend-service': setBackendService,
  'rewrite-uri': rewriteUri,
  'authentication-managed-identity': authenticationManagedIdentity,
  'send-request': sendRequest,
  'set-url': setUrl,
};
