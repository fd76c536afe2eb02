import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { startGateway, type RunningGateway } from '../../src/gateway';
import { loadAndRender } from '../../src/render';
import { makeRepo, removeRepo, type RepoFiles } from '../fixtures/repo';

export const PROJECT_ROOT = path.join(__dirname, '..', '..');

/**
 * A repository for gateway tests whose policies need no policy expressions: one API (`shop`, path `shop`) with a few
 * operations, a product that contains it, a backend. Tests override single files.
 */
export const GATEWAY_REPO: Record<string, string> = {
  'apiops.config.yaml': `environments:
  local:
    target: { emulator: .apiops/local }
    values:
      tenantId: 11111111-2222-3333-4444-555555555555
`,
  'apis/shop/api.yaml': `displayName: Shop
path: shop
serviceUrl: https://shop-backend.example/api
`,
  'apis/shop/openapi.yaml': `openapi: 3.0.1
info: { title: Shop, version: "1" }
paths:
  /items:
    get:
      operationId: listItems
      responses:
        '200':
          description: OK
          content:
            application/json:
              example: { items: [{ id: 1, name: pen }] }
  /items/{itemId}:
    get:
      operationId: getItem
      parameters: [{ name: itemId, in: path, required: true, schema: { type: string } }]
      responses: { '200': { description: OK } }
  /items/special:
    get:
      operationId: getSpecial
      responses: { '200': { description: OK } }
  /search:
    get:
      operationId: search
      parameters: [{ name: q, in: query, required: true, schema: { type: string } }]
      responses: { '200': { description: OK } }
  /orders:
    post:
      operationId: createOrder
      responses: { '201': { description: Created } }
  /files/*:
    get:
      operationId: getFile
      responses: { '200': { description: OK } }
`,
  'products/starter/product.yaml': `displayName: Starter
subscriptionRequired: true
state: published
apis: [shop]
`,
  'backends/shop-v2.yaml': `url: https://shop-v2.example/base
protocol: http
`,
  'policies/global.xml': `<policies>
    <inbound />
    <backend>
        <forward-request />
    </backend>
    <outbound />
    <on-error />
</policies>
`,
};

export interface Reply {
  status: number;
  headers: Record<string, string>;
  text: string;
  json(): any;
}

/** A client of a running gateway's data plane and control endpoints, over real HTTP. */
export interface GatewayClient {
  url: string;
  request(method: string, path: string, options?: { headers?: Record<string, string>; body?: string }): Promise<Reply>;
  control(method: string, endpoint: string, body?: unknown): Promise<Reply>;
  /** A new subscription's primary key. */
  key(scope: Record<string, unknown>): Promise<string>;
  token(body: Record<string, unknown>): Promise<string>;
  backendRequests(): Promise<Array<{ url: string; method: string; headers: Record<string, string>; body: string }>>;
}

export interface TestGateway extends GatewayClient {
  gateway: RunningGateway;
  close(): Promise<void>;
}

export function gatewayClient(url: string): GatewayClient {
  const request: GatewayClient['request'] = async (method, path, { headers = {}, body } = {}) => {
    const response = await fetch(`${url}${path}`, { method, headers, body });
    const text = await response.text();
    return { status: response.status, headers: Object.fromEntries(response.headers), text, json: () => JSON.parse(text) };
  };
  const control: GatewayClient['control'] = (method, endpoint, body) =>
    request(method, `/.apiops/${endpoint}`, body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  return {
    url,
    request,
    control,
    key: async (scope) => (await control('POST', 'subscriptions', scope)).json().primaryKey,
    token: async (body) => (await control('POST', 'tokens', body)).json().token,
    backendRequests: async () => (await control('GET', 'backend-requests')).json(),
  };
}

export async function gatewayOn(root: string, options: { env?: NodeJS.ProcessEnv; envName?: string; cleanup?: boolean } = {}): Promise<TestGateway> {
  const rendered = loadAndRender(root, options.envName ?? 'local', options.env ?? {});
  const gateway = await startGateway({ rendered, env: options.env ?? {} });
  return {
    ...gatewayClient(gateway.url),
    gateway,
    close: async () => {
      await gateway.close();
      if (options.cleanup !== false) removeRepo(root);
    },
  };
}

export interface GatewayProcess extends GatewayClient {
  /** What the command printed so far. */
  output(): { stdout: string; stderr: string };
  /** SIGTERM, as a user stops it; resolves with its exit code. */
  stop(): Promise<number | null>;
}

/**
 * `apiops gateway --port 0 …args` of the current sources in its own process (TypeScript transpiled on load), in `cwd`
 * with exactly `env` (plus PATH): resolves once it says where it listens.
 */
export function gatewayCommand(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<GatewayProcess> {
  const script = `require(${JSON.stringify(path.join(PROJECT_ROOT, 'src', 'cli', 'main.ts'))}).runFromProcess(${JSON.stringify(['gateway', '--port', '0', ...args])})`;
  const child = spawn(process.execPath, ['-r', path.join(PROJECT_ROOT, 'bench', 'lib', 'register-ts.js'), '-e', script], {
    cwd,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const listening = /listening on (http:\/\/\S+?);/.exec(stdout);
      if (listening) {
        resolve({
          ...gatewayClient(listening[1]),
          output: () => ({ stdout, stderr }),
          stop: () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    void exited.then((code) => reject(new Error(`apiops gateway exited (${code}) before listening: ${stderr}`)));
  });
}

/** A gateway over GATEWAY_REPO with `overrides`. */
export function gatewayWith(overrides: RepoFiles = {}, options: { env?: NodeJS.ProcessEnv } = {}): Promise<TestGateway> {
  return gatewayOn(makeRepo(overrides, GATEWAY_REPO), options);
}

/** The global policy with these inbound statements (and forward-request). */
export function globalInbound(inbound: string, extra: { outbound?: string; onError?: string; backend?: string } = {}): string {
  return `<policies>
    <inbound>
        ${inbound}
    </inbound>
    <backend>
        ${extra.backend ?? '<forward-request />'}
    </backend>
    <outbound>
        ${extra.outbound ?? ''}
    </outbound>
    <on-error>
        ${extra.onError ?? ''}
    </on-error>
</policies>
`;
}

/** Runs `run` on a gateway over GATEWAY_REPO with `files`, with the key of a new `starter` subscription; closes it after. */
export async function withGateway(files: RepoFiles, run: (gw: TestGateway, key: string) => Promise<void>, env?: NodeJS.ProcessEnv): Promise<void> {
  const gw = await gatewayWith(files, { env });
  try {
    await run(gw, await gw.key({ product: 'starter' }));
  } finally {
    await gw.close();
  }
}
