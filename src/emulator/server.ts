import * as fs from 'node:fs';
import * as http from 'node:http';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import { handleArm, OperationRegistry, type ArmRequest, type BehaviourTable, type EmulatorEnv, type Reply } from './engine';
import { ArmError, badRequest } from './errors';
import { seededRandom, type Random } from './random';
import { pathSegments } from './ids';
import { isLoopbackHost } from './loopback';
import { SERVICE_INFO } from './behaviours';
import { matchRoute } from './routes';
import type { EmulatorStore } from './store';

/**
 * The HTTP side: ARM URL parsing, bearer-token check, injected latency and faults, request statistics,
 * long-running-operation status, and the loopback documents that API export links point at.
 */

export interface ServerOptions {
  latencyMs: number;
  faultRate: number;
  seed: number;
  retryAfterSeconds: number;
  log?: (line: string) => void;
  /** Documents that stand in for import links (URL → local file), so that such imports work offline. */
  links?: Record<string, string>;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  /** Route template (`PUT apis/{apiId}`), or the raw path for emulator endpoints. */
  route: string;
  status: number;
  durationMs: number;
  fault?: string;
}

export interface EmulatorStats {
  total: number;
  byMethod: Record<string, number>;
  byRoute: Record<string, number>;
  faults: Record<string, number>;
  log: RequestLogEntry[];
}

/** A resource group: ARM tools read it before they start (it always exists here, as services are made on first use). */
const RESOURCE_GROUP_PATH = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/?$/i;
const SERVICE_PATH = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ApiManagement\/service\/([^/]+)(\/.*)?$/i;
const MAX_LOG = 100_000;
const MAX_DOCUMENTS = 1_000;
const DOWNLOAD_TIMEOUT_MS = 30_000;

type Fault = '409' | '429' | '500' | '503' | 'drop';
const FAULTS: Fault[] = ['429', '500', '503', 'drop'];
/** A write can also meet APIM's "operation on the entity in progress" 409, which only writes get. */
const WRITE_FAULTS: Fault[] = [...FAULTS, '409'];
const WRITE_METHODS = new Set(['PUT', 'PATCH', 'DELETE', 'POST']);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function emptyStats(): EmulatorStats {
  return { total: 0, byMethod: {}, byRoute: {}, faults: {}, log: [] };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function routeName(method: string, servicePathRest: string | undefined): string {
  if (servicePathRest === undefined) return `${method} (service)`;
  const segments = pathSegments(servicePathRest);
  if (!segments) return `${method} (unknown)`;
  if (!segments.length) return `${method} (service)`;
  if (segments[0].toLowerCase() === 'tenant') return `${method} tenant/operationResults/{operationId}`;
  const match = matchRoute(segments);
  if (!match) return `${method} (unknown)`;
  const template = match.route.template.split('/');
  const shown = match.mode === 'entity' ? template : match.mode === 'collection' ? template.slice(0, -1) : [...template, match.action];
  return `${method} ${shown.join('/')}`;
}

function resourceGroupReply(method: string, url: URL, [, subscriptionId, name]: RegExpExecArray): Reply {
  if (method !== 'GET' && method !== 'HEAD') throw new ArmError(405, 'MethodNotAllowed', 'The emulator provides resource groups itself; only GET is supported.');
  if (!url.searchParams.get('api-version')) throw badRequest('MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
  const id = `/subscriptions/${subscriptionId}/resourceGroups/${name}`;
  if (method === 'HEAD') return { status: 204 };
  return { status: 200, body: { id, name: decodeURIComponent(name), type: 'Microsoft.Resources/resourceGroups', location: 'westeurope', properties: { provisioningState: 'Succeeded' } } };
}

export class EmulatorServer {
  readonly server: http.Server;
  private statsData = emptyStats();
  private readonly operations = new OperationRegistry();
  private readonly documents = new Map<string, { contentType: string; body: string }>();
  private documentCounter = 0;
  private readonly faultRandom: Random;
  private readonly jitterRandom: Random;
  readonly env: EmulatorEnv;

  constructor(
    private readonly store: EmulatorStore,
    private readonly behaviours: BehaviourTable,
    private readonly options: ServerOptions,
  ) {
    this.faultRandom = seededRandom(options.seed);
    this.jitterRandom = seededRandom(options.seed ^ 0x5bd1e995);
    this.server = http.createServer((req, res) => {
      this.serve(req, res).catch((error) => {
        this.options.log?.(`emulator: internal error: ${(error as Error).stack ?? String(error)}`);
        if (!res.headersSent) this.send(res, { status: 500, body: new ArmError(500, 'InternalServerError', 'Internal error in the emulator.').body() });
        else res.destroy();
      });
    });
    this.server.keepAliveTimeout = 30_000;
    this.env = {
      baseUrl: () => this.baseUrl(),
      publish: (contentType, body) => {
        this.documentCounter += 1;
        const id = `${this.documentCounter.toString(36)}-${Date.now().toString(36)}`;
        this.documents.set(id, { contentType, body });
        // Export links are short-lived in Azure too: keep the most recent ones only.
        if (this.documents.size > MAX_DOCUMENTS) this.documents.delete(this.documents.keys().next().value as string);
        return `${this.baseUrl()}/_emulator/documents/${id}`;
      },
      download: (url) => this.download(url),
    };
  }

  /**
   * What a `*-link` import points at, without leaving this machine: a document the `links` option maps the URL to, a
   * `file://` URL, or an http(s) URL on a loopback address. Any other URL is refused (400) rather than fetched.
   */
  private async download(url: string): Promise<string> {
    const failed = (reason: string) => badRequest('ValidationError', `Could not download '${url}': ${reason}`);
    const mapped = this.options.links?.[url];
    let parsed: URL;
    try {
      parsed = new URL(mapped ? pathToFileURL(mapped).href : url);
    } catch {
      throw failed('it is not a URL.');
    }
    if (parsed.protocol === 'file:') {
      try {
        return await fs.promises.readFile(fileURLToPath(parsed), 'utf8');
      } catch (error) {
        throw failed((error as Error).message);
      }
    }
    if (!/^https?:$/.test(parsed.protocol) || !isLoopbackHost(parsed.hostname)) {
      throw failed('the emulator works offline: it reads file:// URLs, loopback (127.0.0.1, localhost, [::1]) URLs and the documents its links option maps URLs to.');
    }
    let response: Response;
    try {
      response = await fetch(parsed, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS), redirect: 'error' });
    } catch (error) {
      throw failed((error as Error).message);
    }
    if (!response.ok) throw failed(`HTTP ${response.status}.`);
    return response.text();
  }

  baseUrl(): string {
    const address = this.server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }

  stats(): EmulatorStats {
    return { ...this.statsData, byMethod: { ...this.statsData.byMethod }, byRoute: { ...this.statsData.byRoute }, faults: { ...this.statsData.faults }, log: [...this.statsData.log] };
  }

  resetStats(): void {
    this.statsData = emptyStats();
  }

  private record(entry: RequestLogEntry): void {
    const stats = this.statsData;
    stats.total += 1;
    stats.byMethod[entry.method] = (stats.byMethod[entry.method] ?? 0) + 1;
    stats.byRoute[entry.route] = (stats.byRoute[entry.route] ?? 0) + 1;
    if (entry.fault) stats.faults[entry.fault] = (stats.faults[entry.fault] ?? 0) + 1;
    if (stats.log.length < MAX_LOG) stats.log.push(entry);
    this.options.log?.(`${entry.method} ${entry.path} ${entry.status}${entry.fault ? ` (fault ${entry.fault})` : ''} ${entry.durationMs.toFixed(1)}ms`);
  }

  private send(res: http.ServerResponse, reply: Reply): void {
    const headers: Record<string, string> = { ...reply.headers };
    let payload: string | undefined;
    if (reply.body !== undefined) {
      payload = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      headers['Content-Type'] ??= 'application/json; charset=utf-8';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    } else {
      headers['Content-Length'] = '0';
    }
    res.writeHead(reply.status, headers);
    res.end(payload);
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = performance.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://emulator');
    const match = SERVICE_PATH.exec(url.pathname);
    const resourceGroup = RESOURCE_GROUP_PATH.exec(url.pathname);
    const route = url.pathname.startsWith('/_emulator/')
      ? `${method} ${url.pathname.replace(/\/documents\/.*/, '/documents/{id}')}`
      : match
        ? routeName(method, match[4])
        : resourceGroup
          ? `${method} (resource group)`
          : `${method} (unknown)`;
    const body = await readBody(req);
    const finish = (reply: Reply, fault?: string) => {
      if (fault === 'drop') {
        req.socket.destroy();
      } else {
        this.send(res, reply);
      }
      this.record({ method, path: url.pathname + url.search, route, status: fault === 'drop' ? 0 : reply.status, durationMs: performance.now() - started, fault });
    };

    if (url.pathname.startsWith('/_emulator/')) return finish(this.serveInternal(url.pathname));

    // Latency is split between the request's way in and the answer's way out, as on a network: the way out runs
    // while the change is made durable (the answer still waits for both). A timer fires late while the event loop
    // serves other requests; the way out is shortened by what the way in overran, so that a request is delayed by
    // the latency drawn for it rather than by that and the emulator's own queueing on top.
    const latency = this.options.latencyMs > 0 ? this.options.latencyMs * (0.5 + this.jitterRandom()) : 0;
    const inbound = performance.now();
    if (latency > 0) await sleep(latency / 2);
    const wayOut = Math.max(0, latency - (performance.now() - inbound));
    const answer = async (reply: Reply, fault?: string) => {
      // Answered only once what it changed is on disk (and a read never shows what a crash could still lose).
      await Promise.all([wayOut > 0 ? sleep(wayOut) : undefined, this.store.durable()]);
      finish(reply, fault);
    };
    const authorization = req.headers.authorization;
    if (!authorization || !/^Bearer\s+\S+/i.test(authorization)) {
      return answer({ status: 401, headers: { 'WWW-Authenticate': 'Bearer' }, body: new ArmError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing or is not a bearer token.").body() });
    }
    const fault = this.pickFault(WRITE_METHODS.has(method) ? WRITE_FAULTS : FAULTS);
    if (fault) return answer(this.faultReply(fault), fault);

    let reply: Reply;
    try {
      reply = resourceGroup ? resourceGroupReply(method, url, resourceGroup) : await this.handle(method, url, match, req, body);
    } catch (error) {
      if (!(error instanceof ArmError)) throw error;
      reply = { status: error.status, headers: error.headers, body: error.body() };
    }
    await answer(reply);
  }

  private pickFault(faults: Fault[]): Fault | undefined {
    if (this.options.faultRate <= 0) return undefined;
    if (this.faultRandom() >= this.options.faultRate) return undefined;
    return faults[Math.floor(this.faultRandom() * faults.length)];
  }

  private faultReply(fault: Fault): Reply {
    switch (fault) {
      case '409':
        return {
          status: 409,
          headers: { 'Retry-After': String(this.options.retryAfterSeconds) },
          body: new ArmError(409, 'PessimisticConcurrencyConflict', 'Operation on the entity is in progress (injected fault).').body(),
        };
      case '429':
        return { status: 429, headers: { 'Retry-After': String(this.options.retryAfterSeconds) }, body: new ArmError(429, 'TooManyRequests', 'Rate limit exceeded (injected fault).').body() };
      case '500':
        return { status: 500, body: new ArmError(500, 'InternalServerError', 'Internal server error (injected fault).').body() };
      default:
        return { status: 503, headers: { 'Retry-After': String(this.options.retryAfterSeconds) }, body: new ArmError(503, 'ServiceUnavailable', 'Service unavailable (injected fault).').body() };
    }
  }

  private serveInternal(pathname: string): Reply {
    if (pathname === '/_emulator/stats') return { status: 200, body: this.stats() };
    const document = /^\/_emulator\/documents\/([^/]+)$/.exec(pathname);
    const found = document ? this.documents.get(document[1]) : undefined;
    if (found) return { status: 200, headers: { 'Content-Type': found.contentType }, body: found.body };
    return { status: 404, body: new ArmError(404, 'NotFound', `No emulator endpoint ${pathname}.`).body() };
  }

  private async handle(method: string, url: URL, match: RegExpExecArray | null, req: http.IncomingMessage, rawBody: string): Promise<Reply> {
    if (!match) throw new ArmError(404, 'InvalidResourceType', `The resource path '${url.pathname}' is not an API Management resource.`);
    const apiVersion = url.searchParams.get('api-version');
    if (!apiVersion) throw badRequest('MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
    if (!/^\d{4}-\d{2}-\d{2}(-preview)?$/.test(apiVersion)) throw badRequest('InvalidApiVersionParameter', `The api-version '${apiVersion}' is invalid.`);
    let body: unknown;
    if (rawBody.trim()) {
      try {
        body = JSON.parse(rawBody);
      } catch (error) {
        throw badRequest('InvalidRequestContent', `The request content was invalid and could not be deserialized: ${(error as Error).message}`);
      }
    }
    const [, subscriptionId, resourceGroup, serviceName, rest] = match;
    const [scopeNames, segments] = [pathSegments(`${subscriptionId}/${resourceGroup}/${serviceName}`), pathSegments(rest ?? '')];
    if (scopeNames?.length !== 3 || !segments) throw badRequest('InvalidRequestUri', `The request URI '${url.pathname}' is not valid: it has a malformed percent-encoding.`);
    const scope = { subscriptionId: scopeNames[0], resourceGroup: scopeNames[1], serviceName: scopeNames[2] };
    const service = this.store.service(scope);
    const servicePath = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.ApiManagement/service/${serviceName}`;
    const request: ArmRequest = { method, service, servicePath, segments, query: url.searchParams, headers: req.headers, body, apiVersion };
    if (!segments.length) return this.serviceReply(request);
    if (segments.length === 3 && segments[0].toLowerCase() === 'tenant' && segments[1].toLowerCase() === 'operationresults' && method === 'GET') {
      return this.operations.reply(request, segments[2]);
    }
    return handleArm(request, this.env, this.behaviours, this.operations);
  }

  private serviceReply(request: ArmRequest): Reply {
    if (request.method !== 'GET' && request.method !== 'HEAD') throw new ArmError(405, 'MethodNotAllowed', 'The emulator provisions services itself; only GET is supported.');
    const name = request.service.scope.serviceName;
    const host = `${name.toLowerCase()}`;
    const createdAtUtc = String(request.service.get(SERVICE_INFO[0], SERVICE_INFO[1])?.properties.createdAtUtc ?? '2024-05-01T00:00:00.0000000Z');
    return {
      status: 200,
      body: {
        id: request.servicePath,
        name,
        type: 'Microsoft.ApiManagement/service',
        tags: {},
        location: 'West Europe',
        etag: 'AAAAAAAAAAA=',
        sku: { name: 'Developer', capacity: 1 },
        identity: { type: 'SystemAssigned', principalId: '00000000-0000-0000-0000-000000000001', tenantId: '00000000-0000-0000-0000-000000000002' },
        systemData: { createdBy: 'admin@contoso.com', createdByType: 'User', createdAt: createdAtUtc, lastModifiedBy: 'admin@contoso.com', lastModifiedByType: 'User', lastModifiedAt: createdAtUtc },
        properties: {
          publisherEmail: 'admin@contoso.com',
          publisherName: 'apiops emulator',
          notificationSenderEmail: 'apimgmt-noreply@mail.windowsazure.com',
          provisioningState: 'Succeeded',
          targetProvisioningState: '',
          createdAtUtc,
          gatewayUrl: `https://${host}.azure-api.net`,
          gatewayRegionalUrl: `https://${host}-westeurope-01.regional.azure-api.net`,
          portalUrl: `https://${host}.portal.azure-api.net`,
          developerPortalUrl: `https://${host}.developer.azure-api.net`,
          managementApiUrl: `https://${host}.management.azure-api.net`,
          scmUrl: `https://${host}.scm.azure-api.net`,
          hostnameConfigurations: [{ type: 'Proxy', hostName: `${host}.azure-api.net`, negotiateClientCertificate: false, defaultSslBinding: true, certificateSource: 'BuiltIn' }],
          publicIPAddresses: ['127.0.0.1'],
          customProperties: {
            'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TripleDes168': 'false',
            'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls11': 'false',
            'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10': 'false',
            'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Ssl30': 'false',
            'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend.Protocols.Tls11': 'false',
            'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend.Protocols.Tls10': 'false',
            'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend.Protocols.Ssl30': 'false',
            'Microsoft.WindowsAzure.ApiManagement.Gateway.Protocols.Server.Http2': 'false',
          },
          virtualNetworkType: 'None',
          certificates: [],
          disableGateway: false,
          apiVersionConstraint: {},
          privateEndpointConnections: [],
          publicNetworkAccess: 'Enabled',
          platformVersion: 'stv2',
        },
      },
    };
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.close((error) => (error ? reject(error) : resolve()));
      this.server.closeAllConnections();
    });
  }
}
