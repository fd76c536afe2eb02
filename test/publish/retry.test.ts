import { createHttpHeaders, createPipelineRequest, RestError, type PipelineResponse } from '@azure/core-rest-pipeline';
import * as http from 'http';
import type { AddressInfo } from 'net';
import { apiopsRetryStrategy, backoffDelayMs, MAX_RETRY_AFTER_MS, retryAfterMs } from '../../src/azure/retry';
import { createLimiter } from '../../src/azure/concurrency';
import { connect } from '../../src/azure/client';
import { startEmulator } from '../../src/emulator';
import { failureMessage } from '../../src/azure/write';

/** Retry rule and request bounding: the pieces every ARM request goes through. */

const TIMING = { retryDelayInMs: 100, maxRetryDelayInMs: 1_000 };

function response(status: number, headers: Record<string, string> = {}): PipelineResponse {
  return { status, headers: createHttpHeaders(headers), request: createPipelineRequest({ url: 'http://127.0.0.1/x' }) };
}

describe('retry strategy', () => {
  const strategy = apiopsRetryStrategy(TIMING);

  it('honours Retry-After on 429 and on every retryable 5xx', () => {
    for (const status of [429, 500, 502, 503, 504]) {
      expect(strategy.retry({ retryCount: 0, response: response(status, { 'Retry-After': '2' }) })).toEqual({ retryAfterInMs: 2000 });
    }
    expect(strategy.retry({ retryCount: 0, response: response(503, { 'retry-after-ms': '150' }) })).toEqual({ retryAfterInMs: 150 });
  });

  it('backs off exponentially with jitter when the server names no delay (429 included)', () => {
    for (const retryCount of [0, 1, 2, 5]) {
      const delay = strategy.retry({ retryCount, response: response(429) }).retryAfterInMs!;
      const ceiling = Math.min(TIMING.maxRetryDelayInMs, TIMING.retryDelayInMs * 2 ** retryCount);
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
    expect(backoffDelayMs(3, TIMING, () => 0)).toBe(400);
    expect(backoffDelayMs(3, TIMING, () => 1)).toBe(800);
  });

  it('retries dropped connections but not client errors or 501', () => {
    const dropped = new RestError('socket hang up', { code: 'ECONNRESET' });
    expect(strategy.retry({ retryCount: 0, responseError: dropped }).retryAfterInMs).toBeGreaterThan(0);
    for (const status of [400, 404, 409, 412, 501]) expect(strategy.retry({ retryCount: 0, response: response(status) })).toEqual({ skipStrategy: true });
  });

  const conflict = (code: string, message: string, headers: Record<string, string> = {}): PipelineResponse => ({
    ...response(409, { 'Content-Type': 'application/json', ...headers }),
    bodyAsText: JSON.stringify({ error: { code, message, details: null } }),
  });

  it('retries a 409 "operation in progress" like a 429: after its Retry-After, else with backoff', () => {
    expect(strategy.retry({ retryCount: 0, response: conflict('PessimisticConcurrencyConflict', 'Operation on the API is in progress', { 'Retry-After': '3' }) })).toEqual({ retryAfterInMs: 3000 });
    for (const inProgress of [conflict('PessimisticConcurrencyConflict', 'Operation on the API is in progress'), conflict('Conflict', 'Operation on the API is in progress')]) {
      const delay = strategy.retry({ retryCount: 1, response: inProgress }).retryAfterInMs!;
      expect(delay).toBeGreaterThanOrEqual(100);
      expect(delay).toBeLessThanOrEqual(200);
    }
    const askedTooLong = strategy.retry({ retryCount: 0, response: conflict('PessimisticConcurrencyConflict', 'Operation on the API is in progress', { 'Retry-After': '3600' }) });
    expect(askedTooLong.errorToThrow).toMatchObject({ statusCode: 409, code: 'RetryAfterTooLong' });
  });

  it('does not retry a 409 that retrying cannot clear (a path in use, a referenced named value)', () => {
    for (const permanent of [
      conflict('Conflict', "Cannot create API 'b' with the same path 'orders' as API 'a'."),
      conflict('Conflict', "The named value 'key' is used by the following entities: policy"),
      { ...response(409), bodyAsText: 'not json' },
    ]) {
      expect(strategy.retry({ retryCount: 0, response: permanent })).toEqual({ skipStrategy: true });
    }
  });

  it('reads Retry-After as an HTTP date too', () => {
    const inTwoSeconds = new Date(Date.now() + 2_000).toUTCString();
    expect(retryAfterMs(response(503, { 'Retry-After': inTwoSeconds }))).toBeGreaterThan(500);
  });

  it(`sits out a Retry-After up to ${MAX_RETRY_AFTER_MS / 1000} s, and fails at once, naming the wait, when the server asks for longer`, () => {
    expect(strategy.retry({ retryCount: 0, response: response(429, { 'Retry-After': '60' }) })).toEqual({ retryAfterInMs: 60_000 });
    const anHourLater = new Date(Date.now() + 3_600_000).toUTCString();
    const tooLong: Array<Record<string, string>> = [{ 'Retry-After': '3600' }, { 'Retry-After': anHourLater }, { 'retry-after-ms': '60001' }];
    for (const headers of tooLong) {
      const { errorToThrow, retryAfterInMs } = strategy.retry({ retryCount: 0, response: response(429, headers) });
      expect(retryAfterInMs).toBeUndefined();
      expect(errorToThrow).toMatchObject({ statusCode: 429, code: 'RetryAfterTooLong' });
      expect(errorToThrow?.message).toMatch(/^the service asked to wait \d+ s before retrying \(Retry-After\), longer than apiops waits \(60 s\): try again later$/);
    }
  });

  it('through a connection: a request told to come back in an hour fails after one attempt with a clear message', async () => {
    let attempts = 0;
    const server = http.createServer((_request, reply) => {
      attempts += 1;
      reply.writeHead(429, { 'Retry-After': '3600', 'Content-Type': 'application/json' });
      reply.end(JSON.stringify({ error: { code: 'TooManyRequests', message: 'Too many requests' } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const { client, requests } = connect({ subscriptionId: '00000000-0000-0000-0000-000000000000', resourceGroup: 'r', serviceName: 'x' }, { endpoint });
      const failure = await client.tag.get('r', 'x', 'tag').catch((error: unknown) => error);
      expect(failureMessage(failure)).toBe('429: the service asked to wait 3600 s before retrying (Retry-After), longer than apiops waits (60 s): try again later');
      expect(attempts).toBe(1);
      expect(requests.total).toBe(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("replaces the SDK's default retry policy in every connection", () => {
    const { client } = connect({ subscriptionId: 's', resourceGroup: 'r', serviceName: 'x' }, { endpoint: 'http://127.0.0.1:1' });
    const names = client.pipeline.getOrderedPolicies().map((p) => p.name);
    expect(names).not.toContain('defaultRetryPolicy');
    expect(names).toEqual(expect.arrayContaining(['retryPolicy', 'apiopsConcurrencyLimit', 'apiopsRequestCounter']));
  });
});

describe('409 "operation in progress" through the SDK', () => {
  it('a write answered 409 by the emulator (seeded) is retried after its Retry-After and lands', async () => {
    const emulator = await startEmulator({ faultRate: 0.5, seed: 3, retryAfterSeconds: 0 });
    try {
      const scope = { subscriptionId: '00000000-0000-0000-0000-000000000409', resourceGroup: 'rg', serviceName: 'apim' };
      const { client } = connect(scope, { endpoint: emulator.url, maxRetries: 20, retryDelayInMs: 1, maxRetryDelayInMs: 5 });
      for (let i = 0; i < 12; i += 1) await client.tag.createOrUpdate(scope.resourceGroup, scope.serviceName, `tag-${i}`, { displayName: `Tag ${i}` });
      const { faults, log } = emulator.stats();
      expect(faults['409']).toBeGreaterThan(0);
      // Every write refused with 409 was sent again and then succeeded.
      const writes = log.filter((entry) => entry.method === 'PUT');
      for (const [index, refused] of writes.entries()) {
        if (refused.status !== 409) continue;
        expect(writes.slice(index + 1).find((later) => later.path === refused.path && later.status < 300)).toBeDefined();
      }
      const tags: string[] = [];
      for await (const tag of client.tag.listByService(scope.resourceGroup, scope.serviceName)) tags.push(tag.name as string);
      expect(tags.sort()).toEqual(Array.from({ length: 12 }, (_, i) => `tag-${i}`).sort());
    } finally {
      await emulator.close();
    }
  });
});

describe('limiter', () => {
  it('never runs more than its limit at once, and runs everything', async () => {
    const limiter = createLimiter(3);
    let running = 0;
    let peak = 0;
    const tasks = Array.from({ length: 20 }, (_, i) =>
      limiter.run(async () => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setImmediate(resolve));
        running -= 1;
        return i;
      }),
    );
    expect(await Promise.all(tasks)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(peak).toBe(3);
  });

  it('frees its slot when a task fails', async () => {
    const limiter = createLimiter(1);
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limiter.run(async () => 'next')).toBe('next');
  });
});
