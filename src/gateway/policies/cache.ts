/**
 * cache-lookup / cache-store (Learn:cache-lookup-policy, cache-store-policy): GET responses kept in the gateway's
 * internal cache for `duration` seconds of its clock, keyed by API, operation, path, the listed query parameters and
 * headers (and the subscription with vary-by-developer). A request with an Authorization header is neither looked up
 * nor stored unless allow-private-response-caching is true. A hit skips the rest of inbound and the backend; outbound
 * continues after the cache-store (what APIM's trace says: "processing will continue from the step in the response
 * pipeline that is after the corresponding cache-store").
 */
import { bodyBytes } from '../call';
import type { PolicyModule } from '../compiler';
import { CacheHit, UnsupportedError } from '../errors';
import { NameValues } from '../expressions';
import { joined } from '../headers';
import { asBoolean, asInteger } from '../values';

const cacheLookup: PolicyModule = (element, compiler) => {
  const byDeveloper = element.required('vary-by-developer');
  element.required('vary-by-developer-groups');
  const cachingType = element.literal('caching-type') ?? 'prefer-external';
  const downstream = element.literal('downstream-caching-type') ?? 'none';
  if (downstream !== 'none') throw new UnsupportedError(`downstream-caching-type="${downstream}" of <cache-lookup>`, element.pos);
  if (cachingType === 'external') throw new UnsupportedError('caching-type="external" of <cache-lookup> (only the internal cache is emulated)', element.pos);
  element.value('must-revalidate');
  const privateCaching = element.value('allow-private-response-caching');
  const headers = element.children('vary-by-header').map((h) => (h.text().literal ?? '').trim());
  const parameters = element.children('vary-by-query-parameter').map((q) => (q.text().literal ?? '').trim());
  const { cache } = compiler.services;
  return (call) => {
    if (call.request.method !== 'GET') return;
    // allow-private-response-caching (default false): a request carrying an Authorization header is not cached.
    const allowPrivate = privateCaching ? asBoolean(privateCaching.evaluate(call), 'allow-private-response-caching', privateCaching.pos) : false;
    if (!allowPrivate && call.request.headers.has('Authorization')) {
      call.recorder?.note('cache', { skipped: 'the request has an Authorization header and allow-private-response-caching is false' });
      return;
    }
    const query = parameters.map((name) => `${name}=${call.request.originalUrl.query.get(name)?.join(',') ?? ''}`);
    const varied = headers.map((name) => `${name.toLowerCase()}=${joined(call.request.headers, name) ?? ''}`);
    const developer = asBoolean(byDeveloper.evaluate(call), 'vary-by-developer', byDeveloper.pos) ? (call.subscription?.id ?? '') : '';
    const key = JSON.stringify([call.api.id, call.operation.id, call.request.originalUrl.path.toLowerCase(), query, varied, developer]);
    const entry = cache.get(key);
    if (entry && entry.expires > call.now().getTime()) {
      call.response = { statusCode: entry.status, statusReason: entry.reason, headers: new NameValues(entry.headers.map(([n, v]) => [n, [...v]])), body: { content: entry.body, consumed: false } };
      throw new CacheHit();
    }
    call.cacheKey = key;
  };
};

const cacheStore: PolicyModule = (element, compiler) => {
  const duration = element.required('duration');
  const cacheResponse = element.value('cache-response');
  const { cache } = compiler.services;
  return (call) => {
    const response = call.response;
    if (call.cacheKey === undefined || !response) return;
    const anyStatus = cacheResponse ? asBoolean(cacheResponse.evaluate(call), 'cache-response', cacheResponse.pos) : false;
    if (response.statusCode !== 200 && !anyStatus) return;
    const seconds = asInteger(duration.evaluate(call), 'duration', duration.pos);
    const body = bodyBytes(response.body) ?? Buffer.alloc(0);
    cache.set(call.cacheKey, {
      expires: call.now().getTime() + seconds * 1000,
      status: response.statusCode,
      reason: response.statusReason,
      headers: [...response.headers].map(([n, v]) => [n, [...v]]),
      body,
    });
  };
};

export const cachePolicies: Record<string, PolicyModule> = { 'cache-lookup': cacheLookup, 'cache-store': cacheStore };
