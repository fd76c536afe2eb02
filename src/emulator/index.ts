import { behaviourTable, provisionService } from './behaviours';
import { EmulatorServer, type EmulatorStats } from './server';
import { EmulatorStore } from './store';

/**
 * A local Azure API Management management plane (ARM, api-version 2024-05-01) that the real
 * @azure/arm-apimanagement client works against. Used in-process by `target: { emulator: DIR }`
 * environments and by the tests, and served by `apiops emulator`.
 */

export interface EmulatorOptions {
  /** 0 (default) = an ephemeral port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Where state persists; none = in memory. */
  dataDir?: string;
  /** Added to every ARM request, with ±50% jitter. */
  latencyMs?: number;
  /** Share of ARM requests answered with an injected fault (429, 500, 503, dropped connection; 409 on writes). */
  faultRate?: number;
  /** Seed of the fault and jitter sequence (default 1). */
  seed?: number;
  /** Retry-After of injected 409/429/503 responses, in seconds (default 1). */
  retryAfterSeconds?: number;
  log?: (line: string) => void;
  /**
   * Documents that stand in for `*-link` import URLs (URL → local file path). The emulator never fetches from the
   * network beyond loopback; see docs/emulator.md.
   */
  links?: Record<string, string>;
}

export interface RunningEmulator {
  url: string;
  port: number;
  stats(): EmulatorStats;
  resetStats(): void;
  /** Stops serving and writes all state to dataDir. */
  close(): Promise<void>;
}

export type { EmulatorStats, RequestLogEntry } from './server';

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const store = EmulatorStore.open(options.dataDir, provisionService);
  const server = new EmulatorServer(store, behaviourTable(), {
    latencyMs: options.latencyMs ?? 0,
    faultRate: options.faultRate ?? 0,
    seed: options.seed ?? 1,
    retryAfterSeconds: options.retryAfterSeconds ?? 1,
    log: options.log,
    links: options.links,
  });
  try {
    await server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  } catch (error) {
    await store.close();
    throw error;
  }
  const url = server.baseUrl();
  return {
    url,
    port: Number(new URL(url).port),
    stats: () => server.stats(),
    resetStats: () => server.resetStats(),
    close: async () => {
      await server.close();
      await store.close();
    },
  };
}
