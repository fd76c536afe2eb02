import { NameValues, type GatewayCallState } from '../../../src/gateway/expressions';

/** A token with the given payload (unsigned: expressions never check signatures). */
export function token(payload: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(payload)}.c2ln`;
}

/** A call through the gateway as the interpreter sees it; `overrides` replace top-level parts. */
export function callState(overrides: Partial<GatewayCallState> = {}): GatewayCallState {
  const url = () => ({ scheme: 'https', host: 'api.contoso.com', port: 443, path: '/orders/42', query: new NameValues([['expand', 'items'], ['tag', 'a'], ['tag', 'b']], false) });
  return {
    request: {
      method: 'POST',
      url: url(),
      originalUrl: url(),
      headers: new NameValues({ 'Content-Type': 'application/json', Accept: ['application/json', 'text/plain'], Authorization: `Bearer ${token({ sub: 'alice', iss: 'https://issuer', aud: ['api://orders', 'api://other'], exp: 1767225600, roles: ['Reader', 'Writer'] })}` }),
      body: { content: '{"id":42,"name":"widget","price":9.5,"tags":["a","b"],"when":"2024-01-02T03:04:05Z","nested":{"ok":true}}', consumed: false },
      ipAddress: '203.0.113.7',
      matchedParameters: new Map([['id', '42']]),
    },
    variables: new Map<string, unknown>([
      ['count', 3],
      ['name', 'widget'],
      ['flag', true],
    ]),
    subscription: { id: 'sub-1', name: 'Developer', key: 'key-1', primaryKey: 'key-1', secondaryKey: 'key-2' },
    product: { id: 'starter', name: 'Starter' },
    api: { id: 'orders', name: 'Orders', path: 'orders', serviceUrl: 'https://backend.contoso.com/api' },
    operation: { id: 'get-order', name: 'Get order', method: 'GET', urlTemplate: '/orders/{id}' },
    deployment: { region: 'West Europe', serviceName: 'apim-contoso', gatewayId: 'managed' },
    requestId: '0F8FAD5B-D9CB-469F-A165-70867728950E',
    timestamp: new Date('2026-01-01T12:00:00Z'),
    now: () => new Date('2026-01-01T12:00:02.25Z'),
    ...overrides,
  };
}
