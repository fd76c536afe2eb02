/**
 * The gateway emulator (data plane): runs HTTP requests through the effective policies of a rendered repository as
 * APIM's gateway would. `apiops gateway` serves it; `apiops test` starts it in-process.
 */
import { UserError } from '../diagnostics';
import type { RenderedRepository } from '../render/desired';
import { readRepository, type GatewayRepository } from './repository';
import { GatewayServer } from './server';
import { createServices, resolveIdentity, type GatewayServices, type Identity } from './services';
import { newSigningKeys, type SigningKeys } from './tokens';
import type { TraceDocument } from './trace';

export interface GatewayOptions extends ServeOptions {
  rendered: RenderedRepository;
  /** Where secret named values' `valueFromEnv` / `localValueFromEnv` variables are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** The managed identity's ids (default: tenantId from the environment's values, random principal and client ids). */
  identity?: Partial<Identity>;
  /** The token authority's keys, when the caller started making them earlier (newSigningKeys) to overlap its own start-up. */
  signingKeys?: Promise<SigningKeys>;
}

/** How one gateway of a loaded repository listens and records. */
export interface ServeOptions {
  /** 0 (default): an ephemeral port. */
  port?: number;
  /** Default 127.0.0.1: the gateway listens on loopback only. */
  host?: string;
  log?: (line: string) => void;
  /** Record each call's trace (default true): kept for `GET /.apiops/traces/{requestId}` and given to `onTrace`. */
  trace?: boolean;
  /** Every call's trace as it may be shown (secrets, keys and tokens masked), once the call is answered. */
  onTrace?: (trace: TraceDocument) => void;
}

/**
 * What every gateway of one rendered repository shares and never changes: the repository as served (APIs, products,
 * effective policies, resolved named values), the token keys and the managed identity. Making it is the expensive part
 * of a start; `apiops test` makes it once and serves each test file from its own gateway (its own state).
 */
export interface LoadedGateway {
  repository: GatewayRepository;
  keys: SigningKeys;
  identity: Identity;
}

export interface RunningGateway {
  url: string;
  services: GatewayServices;
  close(): Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  return serveGateway(await loadGateway(options), options);
}

export async function loadGateway(options: Pick<GatewayOptions, 'rendered' | 'env' | 'identity' | 'signingKeys'>): Promise<LoadedGateway> {
  const keys = options.signingKeys ?? newSigningKeys();
  const repository = readRepository(options.rendered, options.env ?? process.env);
  const reserved = repository.apis.find((api) => api.path.toLowerCase() === '.apiops' || api.path.toLowerCase().startsWith('.apiops/'));
  if (reserved) {
    throw new UserError(`API '${reserved.id}' has path '${reserved.path}': paths starting with .apiops are the gateway's control endpoints`, reserved.model.definition.locate(['path']));
  }
  return { repository, keys: await keys, identity: resolveIdentity(repository, options.identity) };
}

/** A gateway of a loaded repository with state of its own: clock, subscriptions, counters, cache, backend stub, traces. */
export async function serveGateway(loaded: LoadedGateway, options: ServeOptions = {}): Promise<RunningGateway> {
  const services = createServices(loaded.repository, loaded.keys, loaded.identity, options.trace ?? true);
  const server = new GatewayServer(services, options.log, options.onTrace);
  const url = await server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return { url, services, close: () => server.close() };
}

export { resetState } from './services';
export { newSigningKeys } from './tokens';
export { traceSecrets } from './services';
export type { GatewayServices, Identity } from './services';
export { maskText, TRACE_FORMAT_VERSION, type TraceDocument, type TraceStep } from './trace';
export { REQUEST_ID_HEADER } from './server';
