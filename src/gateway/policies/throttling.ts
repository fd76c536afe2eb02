/**
 * rate-limit, rate-limit-by-key (sliding windows, 429) and quota, quota-by-key (fixed windows, 403), as the fact
 * sheet §5 describes them (Learn:rate-limit-policy, rate-limit-by-key-policy, quota-policy, quota-by-key-policy).
 * rate-limit and quota count per subscription and apply only to calls made with a key; the by-key variants count per
 * counter-key value, shared by every policy using it. With an increment-condition the call counts only once its
 * response is final and the condition (usually on context.Response.StatusCode) holds.
 */
import type { Call } from '../call';
import type { ElementReader, PolicyModule } from '../compiler';
import { PolicyConfigurationError, PolicyFailure } from '../errors';
import type { GatewayServices } from '../services';
import { asBoolean, asInteger, asString, type Value } from '../values';

interface Limit {
  /** Counter key prefix: the policy's place, and for nested <api>/<operation> limits which one. */
  counter: string;
  calls: Value;
  renewal: Value;
  /** Nested limits apply only to their API or operation. */
  applies: (call: Call) => boolean;
}

interface CounterHeaders {
  retryAfterHeader: string;
  retryAfterVariable?: string;
  remainingHeader?: string;
  remainingVariable?: string;
  totalHeader?: string;
}

function counterHeaders(element: ElementReader): CounterHeaders {
  return {
    retryAfterHeader: element.literal('retry-after-header-name') ?? 'Retry-After',
    retryAfterVariable: element.literal('retry-after-variable-name'),
    remainingHeader: element.literal('remaining-calls-header-name'),
    remainingVariable: element.literal('remaining-calls-variable-name'),
    totalHeader: element.literal('total-calls-header-name'),
  };
}

/** `<api name|id>` and `<operation name|id>` limits inside rate-limit and quota: id beats name. */
function nestedLimits(element: ElementReader, counter: string, callsName: string): Limit[] {
  const limits: Limit[] = [];
  for (const api of element.children('api')) {
    const apiId = api.literal('id');
    const apiName = api.literal('name');
    const apiMatches = (call: Call) => (apiId !== undefined ? call.api.id === apiId : call.api.name === apiName);
    if (api.has(callsName)) limits.push({ counter: `${counter}|api:${apiId ?? apiName}`, calls: fixed(api, callsName), renewal: fixed(api, 'renewal-period'), applies: apiMatches });
    for (const operation of api.children('operation')) {
      const opId = operation.literal('id');
      const opName = operation.literal('name');
      limits.push({
        counter: `${counter}|api:${apiId ?? apiName}|op:${opId ?? opName}`,
        calls: fixed(operation, callsName),
        renewal: fixed(operation, 'renewal-period'),
        applies: (call) => apiMatches(call) && (opId !== undefined ? call.operation.id === opId : call.operation.name === opName),
      });
    }
  }
  return limits;
}

/**
 * A required attribute rate-limit and quota (and quota-by-key's limits) take only literally: the fact sheet (§5) lists
 * no expressions for them, so one is refused as APIM refuses to save it.
 */
function fixed(element: ElementReader, name: string): Value {
  element.requiredLiteral(name);
  return element.required(name);
}

/** A quota's renewal-period: 0 (the quota never renews) or, for quota-by-key, at least 300 seconds (fact sheet §5). */
function quotaPeriod(element: ElementReader, minimum: number): Value {
  const value = fixed(element, 'renewal-period');
  const seconds = Number(value.literal);
  if (!Number.isInteger(seconds) || seconds < 0 || (seconds > 0 && seconds < minimum)) {
    throw new PolicyConfigurationError(`renewal-period of <${element.name}> must be 0 or ${minimum > 1 ? `at least ${minimum}` : 'a positive number of'} seconds, got '${value.literal}'`, value.pos);
  }
  return value;
}

/** Seconds as .NET prints a TimeSpan: `hh:mm:ss`, with `d.` before it from one day on. */
function timeSpan(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const days = Math.floor(s / 86_400);
  const pad = (n: number) => String(n).padStart(2, '0');
  const clock = `${pad(Math.floor((s % 86_400) / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
  return days ? `${days}.${clock}` : clock;
}

/** A sliding window: the calls counted in the last `periodMs`. */
function slidingUse(services: GatewayServices, key: string, nowMs: number, periodMs: number): { used: number; oldest?: number; times: number[] } {
  let times = services.rateWindows.get(key);
  if (!times) {
    times = [];
    services.rateWindows.set(key, times);
  }
  let drop = 0;
  while (drop < times.length && times[drop] <= nowMs - periodMs) drop++;
  if (drop) times.splice(0, drop);
  return { used: times.length, oldest: times[0], times };
}

function rateLimited(element: ElementReader, retryAfter: number, headers: CounterHeaders, call: Call): PolicyFailure {
  if (headers.retryAfterVariable) call.variables.set(headers.retryAfterVariable, retryAfter);
  return new PolicyFailure(element.name, 'RateLimitExceeded', 'Rate limit is exceeded', {
    status: 429,
    reason: 'Too Many Requests',
    headers: { [headers.retryAfterHeader]: String(retryAfter) },
    message: `Rate limit is exceeded. Try again in ${retryAfter} seconds.`,
  });
}

/**
 * Checks one sliding-window counter and arranges its increment (now, or once the response is final when there is an
 * increment-condition). The remaining/total headers go on the caller's response.
 */
function applyRate(
  element: ElementReader,
  services: GatewayServices,
  call: Call,
  key: string,
  calls: number,
  periodSeconds: number,
  headers: CounterHeaders,
  increment: { count: number; condition?: Value },
): void {
  const now = call.now().getTime();
  const periodMs = periodSeconds * 1000;
  const window = slidingUse(services, key, now, periodMs);
  call.recorder?.note('counter', { key, calls, renewalPeriod: periodSeconds, used: window.used, remaining: Math.max(0, calls - window.used - increment.count), counted: increment.condition ? 'when increment-condition holds on the response' : increment.count });
  if (window.used + increment.count > calls) {
    const retryAfter = Math.max(1, Math.ceil(((window.oldest ?? now) + periodMs - now) / 1000));
    throw rateLimited(element, retryAfter, headers, call);
  }
  const add = () => {
    for (let i = 0; i < increment.count; i++) window.times.push(now);
  };
  const report = () => {
    const remaining = Math.max(0, calls - slidingUse(services, key, call.now().getTime(), periodMs).used);
    if (headers.remainingHeader) call.finalHeaders.set(headers.remainingHeader, [String(remaining)]);
    if (headers.totalHeader) call.finalHeaders.set(headers.totalHeader, [String(calls)]);
  };
  if (increment.condition) {
    const condition = increment.condition;
    call.onResponse.push(() => {
      if (asBoolean(condition.evaluate(call), 'increment-condition', condition.pos)) add();
      report();
    });
  } else {
    add();
    call.onResponse.push(report);
  }
  if (headers.remainingVariable) call.variables.set(headers.remainingVariable, calls - window.used - (increment.condition ? 0 : increment.count));
}

function periodOf(value: Value, call: Call, max?: number): number {
  const seconds = asInteger(value.evaluate(call), 'renewal-period', value.pos);
  if (seconds <= 0 || (max !== undefined && seconds > max)) throw new PolicyConfigurationError(`renewal-period must be 1..${max ?? '∞'} seconds, got ${seconds}`, value.pos);
  return seconds;
}

const rateLimit: PolicyModule = (element, compiler) => {
  const counter = `rate-limit|${element.pos.file}:${element.pos.line}:${element.pos.column}`;
  const limits: Limit[] = [];
  if (element.has('calls')) limits.push({ counter, calls: fixed(element, 'calls'), renewal: fixed(element, 'renewal-period'), applies: () => true });
  limits.push(...nestedLimits(element, counter, 'calls'));
  const headers = counterHeaders(element);
  const { services } = compiler;
  return (call) => {
    // Only calls made with a subscription key are limited (fact sheet §5).
    if (!call.subscription) return;
    for (const limit of limits) {
      if (!limit.applies(call)) continue;
      const calls = asInteger(limit.calls.evaluate(call), 'calls', limit.calls.pos);
      applyRate(element, services, call, `${limit.counter}|${call.subscription.id}`, calls, periodOf(limit.renewal, call, 300), headers, { count: 1 });
    }
  };
};

const rateLimitByKey: PolicyModule = (element, compiler) => {
  const calls = element.required('calls');
  const renewal = element.required('renewal-period');
  const counterKey = element.required('counter-key');
  const condition = element.value('increment-condition');
  const count = element.value('increment-count');
  const headers = counterHeaders(element);
  const { services } = compiler;
  return (call) => {
    const key = `rate-limit-by-key|${asString(counterKey.evaluate(call))}`;
    const increment = { count: count ? asInteger(count.evaluate(call), 'increment-count', count.pos) : 1, condition };
    applyRate(element, services, call, key, asInteger(calls.evaluate(call), 'calls', calls.pos), periodOf(renewal, call, 300), headers, increment);
  };
};

interface QuotaLimit {
  counter: string;
  calls?: Value;
  bandwidth?: Value;
  renewal: Value;
  applies: (call: Call) => boolean;
}

function quotaExceeded(element: ElementReader, kind: 'call volume' | 'bandwidth', retryAfter: number): PolicyFailure {
  const message = `Out of ${kind} quota. Quota will be replenished in ${timeSpan(retryAfter)}.`;
  return new PolicyFailure(element.name, 'QuotaExceeded', message, {
    status: 403,
    reason: 'Forbidden',
    headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfter))) },
    message,
  });
}

/** quota-by-key's default first-period-start. */
const EPOCH_0001 = Date.parse('0001-01-01T00:00:00Z');

/** Counts one fixed-window quota: calls now (or once the response is final), bandwidth once it is known. */
function applyQuota(
  element: ElementReader,
  services: GatewayServices,
  call: Call,
  key: string,
  limits: { calls?: number; kilobytes?: number },
  periodSeconds: number,
  startMs: number,
  condition: Value | undefined,
  counted: Set<string>,
): void {
  const now = call.now().getTime();
  const periodMs = periodSeconds * 1000;
  const period = periodMs === 0 ? 0 : Math.floor((now - startMs) / periodMs);
  let usage = services.quotas.get(key);
  if (!usage || usage.period !== period) {
    usage = { period, calls: 0, kilobytes: 0 };
    services.quotas.set(key, usage);
  }
  const retryAfter = periodMs === 0 ? Number.MAX_SAFE_INTEGER / 1000 : (startMs + (period + 1) * periodMs - now) / 1000;
  call.recorder?.note('quota', { key, ...limits, renewalPeriod: periodSeconds, usedCalls: usage.calls, usedKilobytes: usage.kilobytes });
  if (limits.calls !== undefined && usage.calls >= limits.calls) throw quotaExceeded(element, 'call volume', retryAfter);
  if (limits.kilobytes !== undefined && usage.kilobytes >= limits.kilobytes) throw quotaExceeded(element, 'bandwidth', retryAfter);
  const current = usage;
  const count = () => {
    // Several policies counting the same key count a call once (fact sheet §5).
    if (counted.has(key)) return;
    counted.add(key);
    current.calls++;
  };
  call.onResponse.push(() => {
    if (condition && !asBoolean(condition.evaluate(call), 'increment-condition', condition.pos)) return;
    if (condition) count();
    const bytes = call.response?.body ? Buffer.byteLength(call.response.body.content) : 0;
    current.kilobytes += bytes / 1024;
  });
  if (!condition) count();
}

const countedPerCall = new WeakMap<Call, Set<string>>();
function countedKeys(call: Call): Set<string> {
  let keys = countedPerCall.get(call);
  if (!keys) countedPerCall.set(call, (keys = new Set()));
  return keys;
}

const quota: PolicyModule = (element, compiler) => {
  const counter = `quota|${element.pos.file}:${element.pos.line}:${element.pos.column}`;
  const limits: QuotaLimit[] = [];
  if (element.has('calls') || element.has('bandwidth')) {
    const optional = (name: string) => (element.has(name) ? fixed(element, name) : undefined);
    limits.push({ counter, calls: optional('calls'), bandwidth: optional('bandwidth'), renewal: quotaPeriod(element, 1), applies: () => true });
  }
  limits.push(...nestedLimits(element, counter, 'calls'));
  const { services } = compiler;
  return (call) => {
    const subscription = call.subscription;
    if (!subscription) return;
    for (const limit of limits) {
      if (!limit.applies(call)) continue;
      const periodSeconds = asInteger(limit.renewal.evaluate(call), 'renewal-period', limit.renewal.pos);
      const calls = limit.calls && asInteger(limit.calls.evaluate(call), 'calls', limit.calls.pos);
      const kilobytes = limit.bandwidth && asInteger(limit.bandwidth.evaluate(call), 'bandwidth', limit.bandwidth.pos);
      const start = subscription.createdDate?.getTime() ?? 0;
      applyQuota(element, services, call, `${limit.counter}|${subscription.id}`, { calls, kilobytes }, periodSeconds, start, undefined, countedKeys(call));
    }
  };
};

const quotaByKey: PolicyModule = (element, compiler) => {
  const calls = element.has('calls') ? fixed(element, 'calls') : undefined;
  const bandwidth = element.has('bandwidth') ? fixed(element, 'bandwidth') : undefined;
  if (!calls && !bandwidth) throw new PolicyConfigurationError('<quota-by-key> needs calls or bandwidth', element.pos);
  const renewal = quotaPeriod(element, 300);
  const counterKey = element.required('counter-key');
  const condition = element.value('increment-condition');
  const firstPeriodStart = element.literal('first-period-start');
  const start = firstPeriodStart === undefined ? EPOCH_0001 : Date.parse(firstPeriodStart);
  if (Number.isNaN(start)) throw new PolicyConfigurationError(`first-period-start must be a date and time, got '${firstPeriodStart}'`, element.pos);
  const { services } = compiler;
  return (call) => {
    const periodSeconds = asInteger(renewal.evaluate(call), 'renewal-period', renewal.pos);
    const limits = {
      calls: calls && asInteger(calls.evaluate(call), 'calls', calls.pos),
      kilobytes: bandwidth && asInteger(bandwidth.evaluate(call), 'bandwidth', bandwidth.pos),
    };
    applyQuota(element, services, call, `quota-by-key|${asString(counterKey.evaluate(call))}`, limits, periodSeconds, start, condition, countedKeys(call));
  };
};

export const throttlingPolicies: Record<string, PolicyModule> = {
  'rate-limit': rateLimit,
  'rate-limit-by-key': rateLimitByKey,
  quota,
  'quota-by-key': quotaByKey,
};
