import { connect, type ApimConnection } from '../../src/azure/client';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator';

export const SCOPE = { subscriptionId: '00000000-0000-0000-0000-000000000000', resourceGroup: 'rg-test', serviceName: 'apim-test' };
export const RG = SCOPE.resourceGroup;
export const SVC = SCOPE.serviceName;
/** The ARM id of the test service, as ids in responses begin. */
export const SERVICE_ID = `/subscriptions/${SCOPE.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.ApiManagement/service/${SVC}`;

/** Every item of an SDK list, following its paging. */
export async function all<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of pages) items.push(item);
  return items;
}

export interface Harness {
  emulator: RunningEmulator;
  apim: ApimConnection;
}

/** An emulator on an ephemeral port and a real SDK client pointed at it (no retries unless asked). */
export async function startHarness(options: EmulatorOptions = {}, maxRetries = 0): Promise<Harness> {
  const emulator = await startEmulator(options);
  const apim = connect(SCOPE, { endpoint: emulator.url, maxRetries, retryDelayInMs: 1, maxRetryDelayInMs: 5 });
  return { emulator, apim };
}

/** A harness started before the suite's tests and closed after them (read `h` and `c` inside the tests). */
export function suiteHarness(): { h: Harness; c: Harness['apim']['client'] } {
  const suite = {} as { h: Harness; c: Harness['apim']['client'] };
  beforeAll(async () => {
    suite.h = await startHarness();
    suite.c = suite.h.apim.client;
  });
  afterAll(() => suite.h.emulator.close());
  return suite;
}

/** The ARM error code and HTTP status of a rejected SDK call. */
export async function armFailure(call: Promise<unknown>): Promise<{ statusCode?: number; code?: string; message: string }> {
  try {
    await call;
  } catch (error) {
    const e = error as { statusCode?: number; code?: string; message: string };
    return { statusCode: e.statusCode, code: e.code, message: e.message };
  }
  throw new Error('expected the call to fail');
}

export function serviceUrl(emulator: RunningEmulator, path: string, query = 'api-version=2024-05-01'): string {
  return `${emulator.url}/subscriptions/${SCOPE.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.ApiManagement/service/${SVC}/${path}?${query}`;
}

/** A raw ARM call with the emulator token (for what the SDK hides: headers, raw bodies, paging links). */
export async function raw(emulator: RunningEmulator, method: string, path: string, body?: unknown, headers: Record<string, string> = {}, query?: string): Promise<{ status: number; headers: Headers; body: any }> {
  const response = await fetch(serviceUrl(emulator, path, query), {
    method,
    headers: { Authorization: 'Bearer apiops-emulator-token', 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}
