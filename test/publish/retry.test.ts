import { createHttpHeaders, createPipelineRequest, RestError, type PipelineResponse } from '@azure/core-rest-pipeline';
import { apiopsRetryStrategy, backoffDelayMs, retryAfterMs } from '../../src/azure/retry';
import { createLimiter } from '../../src/azure/concurrency';
import { connect } from '../../src/azure/client';

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

  it('reads Retry-After as an HTTP date too', () => {
    const inTwoSeconds = new Date(Date.now() + 2_000).toUTCString();
    expect(retryAfterMs(response(503, { 'Retry-After': inTwoSeconds }))).toBeGreaterThan(500);
  });

  it("replaces the SDK's default retry policy in every connection", () => {
    const { client } = connect({ subscriptionId: 's', resourceGroup: 'r', serviceName: 'x' }, { endpoint: 'http://127.0.0.1:1' });
    const names = client.pipeline.getOrderedPolicies().map((p) => p.name);
    expect(names).not.toContain('defaultRetryPolicy');
    expect(names).toEqual(expect.arrayContaining(['retryPolicy', 'apiopsConcurrencyLimit', 'apiopsRequestCounter']));
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
