/** check-header, ip-filter and cors (Learn:check-header-policy, ip-filter-policy, cors-policy). */
import type { ElementReader, PolicyModule } from '../compiler';
import { EndPipeline, PolicyConfigurationError, PolicyFailure, reasonPhrase } from '../errors';
import { NameValues } from '../expressions';
import { joined } from '../headers';
import { asBoolean, asInteger, asString } from '../values';

const checkHeader: PolicyModule = (element) => {
  const name = element.required('name');
  const code = element.required('failed-check-httpcode');
  const message = element.required('failed-check-error-message');
  const ignoreCase = element.required('ignore-case');
  const values = element.children('value').map((v) => v.text());
  return (call) => {
    const headerName = asString(name.evaluate(call));
    const refuse = (reason: string, detail: string) => {
      const status = asInteger(code.evaluate(call), 'failed-check-httpcode', code.pos);
      return new PolicyFailure('check-header', reason, detail, { status, reason: reasonPhrase(status), message: asString(message.evaluate(call)) });
    };
    const present = call.request.headers.get(headerName);
    if (!present) throw refuse('HeaderNotFound', `Header ${headerName} was not found in the request. Access denied.`);
    if (!values.length) return;
    const fold = asBoolean(ignoreCase.evaluate(call), 'ignore-case', ignoreCase.pos) ? (s: string) => s.toLowerCase() : (s: string) => s;
    const allowed = values.map((v) => fold(asString(v.evaluate(call))));
    const given = present.join(',');
    if (!allowed.includes(fold(given))) throw refuse('HeaderValueNotAllowed', `Header ${headerName} value of ${given} is not allowed. Access denied.`);
  };
};

/** IPv4 as a number; undefined for anything else (IPv6 ranges are not supported). */
function ipv4(text: string): number | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text.trim().replace(/^::ffff:/i, ''));
  if (!match) return undefined;
  const parts = match.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

const ipFilter: PolicyModule = (element) => {
  const action = element.requiredLiteral('action');
  if (action !== 'allow' && action !== 'forbid') throw new PolicyConfigurationError(`action must be allow or forbid, got '${action}'`, element.pos);
  const ranges: Array<{ from: number; to: number }> = [];
  for (const address of element.children('address')) {
    const text = address.text().literal ?? '';
    const ip = ipv4(text);
    if (ip === undefined) throw new PolicyConfigurationError(`'${text}' is not an IPv4 address`, address.pos);
    ranges.push({ from: ip, to: ip });
  }
  for (const range of element.children('address-range')) {
    const from = ipv4(range.requiredLiteral('from'));
    const to = ipv4(range.requiredLiteral('to'));
    if (from === undefined || to === undefined) throw new PolicyConfigurationError('address-range from and to must be IPv4 addresses', range.pos);
    ranges.push({ from, to });
  }
  if (!ranges.length) throw new PolicyConfigurationError('<ip-filter> needs at least one address or address-range', element.pos);
  const forbidden = (reason: string, message: string) => new PolicyFailure('ip-filter', reason, message, { status: 403, reason: 'Forbidden', message: 'Forbidden' });
  return (call) => {
    const caller = call.request.ipAddress.replace(/^::ffff:/i, '');
    const ip = ipv4(caller);
    if (ip === undefined) throw forbidden('FailedToParseCallerIP', 'Failed to establish IP address for the caller. Access denied.');
    const listed = ranges.some((r) => ip >= r.from && ip <= r.to);
    if (action === 'allow' && !listed) throw forbidden('CallerIpNotAllowed', `Caller IP address ${caller} is not allowed. Access denied.`);
    if (action === 'forbid' && listed) throw forbidden('CallerIpBlocked', 'Caller IP address is blocked. Access denied.');
  };
};

/** `https://a.example:443` and `https://a.example` are one origin. */
function normalOrigin(origin: string): string {
  return origin.trim().toLowerCase().replace(/^(https:\/\/[^/:]+):443$/, '$1').replace(/^(http:\/\/[^/:]+):80$/, '$1').replace(/\/+$/, '');
}

function listOf(element: ElementReader, list: string, item: string): { values: string[]; reader?: ElementReader } {
  const reader = element.child(list);
  return { values: (reader?.children(item) ?? []).map((v) => (v.text().literal ?? '').trim()), reader };
}

/**
 * cors: answers preflight requests (OPTIONS with Origin and Access-Control-Request-Method; the pipeline runs only
 * cors for them) and adds the allow headers to matching simple requests. terminate-unmatched-request's default is
 * documented both ways; the stricter reading (true: an unmatched request gets an empty 200) applies.
 */
const cors: PolicyModule = (element) => {
  const credentials = element.value('allow-credentials');
  const terminate = element.value('terminate-unmatched-request');
  const origins = listOf(element, 'allowed-origins', 'origin').values.map(normalOrigin);
  if (!origins.length) throw new PolicyConfigurationError('<cors> needs allowed-origins with at least one origin', element.pos);
  const methodsList = listOf(element, 'allowed-methods', 'method');
  const maxAge = methodsList.reader?.literal('preflight-result-max-age');
  const methods = methodsList.values.length ? methodsList.values.map((m) => m.toUpperCase()) : ['GET', 'POST'];
  const allowedHeaders = listOf(element, 'allowed-headers', 'header').values.map((h) => h.toLowerCase());
  const exposeHeaders = listOf(element, 'expose-headers', 'header').values;
  return (call) => {
    const origin = joined(call.request.headers, 'Origin');
    if (origin === undefined) return;
    const withCredentials = credentials ? asBoolean(credentials.evaluate(call), 'allow-credentials', credentials.pos) : false;
    const terminates = terminate ? asBoolean(terminate.evaluate(call), 'terminate-unmatched-request', terminate.pos) : true;
    const originAllowed = origins.includes('*') || origins.includes(normalOrigin(origin));
    const allowOrigin = origins.includes('*') && !withCredentials ? '*' : origin;
    const preflight = call.preflight;
    const end = (headers: NameValues) => {
      call.response = { statusCode: 200, statusReason: 'OK', headers };
      throw new EndPipeline();
    };
    if (preflight) {
      const method = (joined(call.request.headers, 'Access-Control-Request-Method') ?? '').trim().toUpperCase();
      const requested = (joined(call.request.headers, 'Access-Control-Request-Headers') ?? '').split(',').map((h) => h.trim()).filter(Boolean);
      const methodAllowed = methods.includes('*') || methods.includes(method);
      const headersAllowed = allowedHeaders.includes('*') || requested.every((h) => allowedHeaders.includes(h.toLowerCase()));
      const headers = new NameValues();
      if (originAllowed && methodAllowed && headersAllowed) {
        headers.set('Access-Control-Allow-Origin', [allowOrigin]);
        if (withCredentials) headers.set('Access-Control-Allow-Credentials', ['true']);
        headers.set('Access-Control-Allow-Methods', [method]);
        if (requested.length) headers.set('Access-Control-Allow-Headers', [requested.join(',')]);
        if (maxAge !== undefined && Number(maxAge) > 0) headers.set('Access-Control-Max-Age', [maxAge]);
        headers.set('Vary', ['Origin']);
      }
      end(headers);
    }
    if (!originAllowed) {
      if (terminates) end(new NameValues());
      return;
    }
    call.finalHeaders.set('Access-Control-Allow-Origin', [allowOrigin]);
    if (withCredentials) call.finalHeaders.set('Access-Control-Allow-Credentials', ['true']);
    if (exposeHeaders.length) call.finalHeaders.set('Access-Control-Expose-Headers', [exposeHeaders.join(',')]);
    call.finalHeaders.set('Vary', ['Origin']);
  };
};

export const accessPolicies: Record<string, PolicyModule> = {
  'check-header': checkHeader,
  'ip-filter': ipFilter,
  cors,
};

