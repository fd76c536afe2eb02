import { apiDefinition, backendDefinition, namedValueDefinition, productDefinition, suggestedEnvVar, unrepresentedApiSettings } from '../../src/extract/definitions';
import { KEPT_ON_INSTANCE } from '../../src/plan/backend-fields';
import { openApiFromOperations } from '../../src/extract/openapi';
import { extractedSpecification, mismatchedOperations, repositorySpecification, specificationText } from '../../src/extract/specification';

describe('live properties → repository definitions', () => {
  it('suggests an upper-snake environment variable for a secret', () => {
    expect(suggestedEnvVar('partner-api-key')).toBe('PARTNER_API_KEY');
    expect(suggestedEnvVar('storageAccount.key')).toBe('STORAGE_ACCOUNT_KEY');
    expect(suggestedEnvVar('1st-key')).toBe('NV_1ST_KEY');
  });

  it('names the API settings the repository format cannot hold, and stays quiet about defaults', () => {
    const defaults = {
      type: 'http',
      subscriptionKeyParameterNames: { header: 'Ocp-Apim-Subscription-Key', query: 'subscription-key' },
      authenticationSettings: { oAuth2AuthenticationSettings: [], openidAuthenticationSettings: [] },
      contact: null,
    };
    expect(unrepresentedApiSettings('apis/a/api.yaml', defaults)).toEqual([]);
    expect(
      unrepresentedApiSettings('apis/a/api.yaml', {
        type: 'odata',
        apiVersionSetId: '/apiVersionSets/v',
        subscriptionKeyParameterNames: { header: 'X-Key', query: 'key' },
        authenticationSettings: { openidAuthenticationSettings: [{ openidProviderId: 'entra' }] },
        contact: { name: 'Platform team' },
        termsOfServiceUrl: 'https://contoso.com/terms',
      }),
    ).toEqual([
      'apis/a/api.yaml: a odata API; apiops manages it as an HTTP API',
      'apis/a/api.yaml: its OAuth 2.0 / OpenID Connect authorization server settings are not managed by apiops (left out)',
      'apis/a/api.yaml: its contact is not managed by apiops (left out)',
      'apis/a/api.yaml: its termsOfServiceUrl is not managed by apiops (left out)',
    ]);
  });

  it('writes renamed subscription key names into api.yaml and leaves APIM\'s default names out', () => {
    expect(apiDefinition({ displayName: 'A', path: 'a', subscriptionKeyParameterNames: { header: 'X-Key', query: 'key' } }).subscriptionKeyParameterNames).toEqual({ header: 'X-Key', query: 'key' });
    expect(apiDefinition({ displayName: 'A', path: 'a', subscriptionKeyParameterNames: { header: 'Ocp-Apim-Subscription-Key', query: 'subscription-key' } })).not.toHaveProperty('subscriptionKeyParameterNames');
  });

  it('never carries a secret value', () => {
    const secret = namedValueDefinition('partner-key', { displayName: 'partner-key', secret: true, value: 's3cr3t-value', tags: ['b', 'a'] });
    expect(secret).toEqual({ displayName: 'partner-key', secret: true, valueFromEnv: 'PARTNER_KEY', tags: ['a', 'b'] });
    expect(JSON.stringify(secret)).not.toContain('s3cr3t-value');
    expect(namedValueDefinition('k', { displayName: 'k', secret: true }, 'KEEP_ME').valueFromEnv).toBe('KEEP_ME');
  });

  it('keeps only the reference of a Key Vault named value, and the value of a plain one', () => {
    expect(
      namedValueDefinition('kv', {
        displayName: 'kv',
        secret: true,
        keyVault: { secretIdentifier: 'https://v.vault.azure.net/secrets/x', identityClientId: null, lastStatus: { code: 'Success' } },
      }),
    ).toEqual({ displayName: 'kv', keyVault: { secretIdentifier: 'https://v.vault.azure.net/secrets/x' } });
    expect(namedValueDefinition('plain', { displayName: 'Plain', value: 'v', secret: false })).toEqual({ displayName: 'Plain', value: 'v' });
  });

  it('marks literal backend credentials as kept on the instance and keeps named-value references', () => {
    const { definition, withheld } = backendDefinition({
      url: 'https://func.example.net/api',
      protocol: 'http',
      tls: { validateCertificateChain: true },
      credentials: {
        header: { 'x-functions-key': ['{{func-key}}'], 'x-literal': ['abc123'] },
        query: {},
        authorization: { scheme: 'Basic', parameter: 'dXNlcjpwYXNz' },
      },
    });
    expect(definition).toEqual({
      url: 'https://func.example.net/api',
      protocol: 'http',
      tls: { validateCertificateChain: true },
      credentials: {
        header: { 'x-functions-key': ['{{func-key}}'], 'x-literal': [KEPT_ON_INSTANCE] },
        authorization: { scheme: 'Basic', parameter: KEPT_ON_INSTANCE },
      },
    });
    expect(JSON.stringify(definition)).not.toMatch(/abc123|dXNlcjpwYXNz/);
    expect(withheld).toEqual(['authorization parameter', 'header x-literal']);
  });

  it('maps APIs and products with sorted lists and without empty fields', () => {
    expect(apiDefinition({ displayName: 'Orders', path: 'orders', protocols: ['https', 'http'], description: '', serviceUrl: 'https://b', subscriptionRequired: true, apiRevision: '1' })).toEqual({
      displayName: 'Orders',
      path: 'orders',
      protocols: ['http', 'https'],
      serviceUrl: 'https://b',
      subscriptionRequired: true,
    });
    expect(productDefinition({ displayName: 'Open', subscriptionRequired: false, approvalRequired: false, state: 'published' }, ['b', 'a'], [])).toEqual({
      displayName: 'Open',
      subscriptionRequired: false,
      state: 'published',
      apis: ['a', 'b'],
    });
  });
});

describe('OpenAPI built from operations', () => {
  it('recreates operation ids, methods, paths and template parameters', () => {
    const document = openApiFromOperations({ displayName: 'Orders', description: 'Order API' }, [
      {
        id: 'list-orders',
        properties: {
          displayName: 'List orders',
          method: 'GET',
          urlTemplate: '/orders?status={status}',
          templateParameters: [{ name: 'status', type: 'string', required: false, values: ['open', 'closed'] }],
          responses: [{ statusCode: 200, description: 'the orders' }],
        },
      },
      {
        id: 'get-order',
        properties: { displayName: 'Get order', method: 'GET', urlTemplate: '/orders/{id}', templateParameters: [{ name: 'id', type: 'integer', required: true }] },
      },
    ]);
    expect(document).toEqual({
      openapi: '3.0.1',
      info: { title: 'Orders', version: '1.0', description: 'Order API' },
      paths: {
        '/orders': {
          get: {
            operationId: 'list-orders',
            summary: 'List orders',
            // A parameter of the URL template is required, whatever the instance says: only required query parameters import into the template.
            parameters: [{ name: 'status', in: 'query', required: true, schema: { type: 'string', enum: ['open', 'closed'] } }],
            responses: { '200': { description: 'the orders' } },
          },
        },
        '/orders/{id}': {
          get: {
            operationId: 'get-order',
            summary: 'Get order',
            parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
            // No responses recorded: only a `default` one, which an import does not turn into a response.
            responses: { default: { description: 'No responses recorded on the instance' } },
          },
        },
      },
    });
  });
});

describe('specifications as the repository keeps them', () => {
  it('drops the gateway servers and sorts paths, printing YAML or JSON by file name', () => {
    const exported = { openapi: '3.0.1', info: { title: 'T', version: '1' }, servers: [{ url: 'https://apim.azure-api.net/t' }], paths: { '/b': {}, '/a': {} } };
    const kept = repositorySpecification(exported);
    expect(kept).toEqual({ openapi: '3.0.1', info: { title: 'T', version: '1' }, paths: { '/a': {}, '/b': {} } });
    expect(Object.keys(kept.paths as object)).toEqual(['/a', '/b']);
    expect(specificationText('apis/t/openapi.yaml', kept)).toBe("openapi: 3.0.1\ninfo:\n  title: T\n  version: \"1\"\npaths:\n  /a: {}\n  /b: {}\n");
    expect(JSON.parse(specificationText('apis/t/openapi.json', kept))).toEqual(kept);
  });
});

describe('the specification extract writes', () => {
  const file = 'apis/orders/openapi.yaml';
  const api = { displayName: 'Orders' };
  const operations = [
    { id: 'get-order', properties: { displayName: 'Get order', method: 'GET', urlTemplate: '/orders/{id}', templateParameters: [{ name: 'id', type: 'string', required: true }], responses: [{ statusCode: 200 }] } },
    { id: 'ping', properties: { displayName: 'Ping', method: 'GET', urlTemplate: '/ping' } },
  ];
  const exportedDocument = {
    openapi: '3.0.1',
    info: { title: 'Orders', version: '1.0' },
    paths: {
      '/orders/{id}': { get: { operationId: 'get-order', summary: 'Get order', parameters: [{ name: 'id', in: 'path', required: true, schema: { $ref: '#/components/schemas/Id' } }], responses: { '200': { description: 'ok' } } } },
      // An export gives an operation that records no responses a 200 one: publishing that would add it.
      '/ping': { get: { operationId: 'ping', summary: 'Ping', responses: { '200': { description: '' } } } },
    },
    components: { schemas: { Id: { type: 'string' } } },
  };

  it('is the export when it describes the operations exactly', () => {
    const matching = { ...exportedDocument, paths: { '/orders/{id}': exportedDocument.paths['/orders/{id}'] } };
    expect(extractedSpecification(file, { ok: true, document: matching }, api, operations.slice(0, 1))).toEqual({ text: specificationText(file, matching) });
  });

  it('keeps the rest of an export and builds the operations it misdescribes from the instance', () => {
    const { text, warning } = extractedSpecification(file, { ok: true, document: exportedDocument }, api, operations);
    expect(warning).toBe(`${file}: the exported document misdescribed ping; it was built from the instance's operations`);
    expect(mismatchedOperations(file, text, operations)).toEqual([]);
    expect(text).toContain('$ref: "#/components/schemas/Id"');
    expect(text).toContain('default:');
  });

  it('is built from the operations when the instance cannot export', () => {
    const { text, warning } = extractedSpecification(file, { ok: false, reason: 'export refused: 400' }, api, operations);
    expect(warning).toBe(`${file}: built from the API's operations (export refused: 400)`);
    expect(mismatchedOperations(file, text, operations)).toEqual([]);
  });

  it('names the operations no document can describe exactly', () => {
    // APIM keeps a template parameter a request may leave out; an import always makes it required.
    const optional = [{ id: 'find', properties: { displayName: 'Find', method: 'GET', urlTemplate: '/find?q={q}', templateParameters: [{ name: 'q', type: 'string', required: false }] } }];
    const { warning } = extractedSpecification(file, { ok: false, reason: 'no export' }, api, optional);
    expect(warning).toBe(`${file}: built from the API's operations (no export); the repository cannot describe find exactly, so diff will show it changed`);
  });
});
