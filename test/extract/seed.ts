import type { ApimConnection } from '../../src/azure/client';
import { putResource } from '../../src/azure/write';

/**
 * Seeds an instance through the real SDK: `apiCount` APIs imported from generated OpenAPI documents, each with
 * `operationsPerApi` operations and an API policy that includes a fragment, which routes to a backend (whose key is
 * a secret named value) with a managed identity for an audience kept in a plain named value; plus one product
 * holding the first API. Writes go out concurrently (the connection bounds them).
 */

export const SEED_NAMED_VALUE = 'backend-audience';
export const SEED_SECRET = 'functions-key';
/** The secret named value's value: it must never appear in an extracted repository. */
export const SEED_SECRET_VALUE = 'fk-Q2x9V7mL3pR8tZ4wN6';
export const SEED_BACKEND = 'functions';
export const SEED_FRAGMENT = 'forward-with-identity';
export const SEED_PRODUCT = 'partners';
/** A raw policy expression in the fragment, as the extracted file must keep it. */
export const SEED_FRAGMENT_EXPRESSION = '<set-variable name="traced" value="@(context.Request.Headers.GetValueOrDefault("x-trace", "") != "" && context.Request.Body == null)" />';

export function seedApiId(index: number): string {
  return `api-${String(index).padStart(4, '0')}`;
}

function specification(apiId: string, operations: number): string {
  const paths: Record<string, unknown> = {};
  for (let i = 0; i < operations; i++) {
    paths[`/items${i}/{itemId}`] = {
      get: {
        operationId: `get-items${i}`,
        summary: `Get item ${i}`,
        parameters: [{ name: 'itemId', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: 'The item.' } },
      },
    };
  }
  return JSON.stringify({ openapi: '3.0.1', info: { title: apiId, version: '1.0' }, paths });
}

const API_POLICY =
  `<policies><inbound><base /><include-fragment fragment-id="${SEED_FRAGMENT}" /></inbound>` +
  '<backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>';

export async function seedInstance(c: ApimConnection, apiCount: number, operationsPerApi: number): Promise<void> {
  await putResource(c, { kind: 'namedValue', ids: [SEED_NAMED_VALUE] }, { displayName: SEED_NAMED_VALUE, value: 'api://backend', secret: false });
  await putResource(c, { kind: 'namedValue', ids: ['unused-setting'] }, { displayName: 'unused-setting', value: 'x', secret: false });
  await putResource(c, { kind: 'namedValue', ids: [SEED_SECRET] }, { displayName: SEED_SECRET, value: SEED_SECRET_VALUE, secret: true });
  await putResource(c, { kind: 'backend', ids: [SEED_BACKEND] }, {
    url: 'https://functions.example.net/api',
    protocol: 'http',
    credentials: { header: { 'x-functions-key': [`{{${SEED_SECRET}}}`] } },
  });
  await putResource(c, { kind: 'policyFragment', ids: [SEED_FRAGMENT] }, {
    format: 'rawxml',
    // The expression's `"`, `<` and `&&` come back escaped when fragments are listed (in the xml form).
    value: `<fragment><set-backend-service backend-id="${SEED_BACKEND}" /><authentication-managed-identity resource="{{${SEED_NAMED_VALUE}}}" />${SEED_FRAGMENT_EXPRESSION}</fragment>`,
  });
  await Promise.all(
    Array.from({ length: apiCount }, async (_, index) => {
      const apiId = seedApiId(index);
      await putResource(c, { kind: 'api', ids: [apiId] }, {
        displayName: `API ${index}`,
        path: apiId,
        protocols: ['https'],
        serviceUrl: `https://backend.example.net/${apiId}`,
        subscriptionRequired: true,
        format: 'openapi+json',
        value: specification(apiId, operationsPerApi),
      });
      await putResource(c, { kind: 'apiPolicy', ids: [apiId] }, { format: 'rawxml', value: API_POLICY });
    }),
  );
  await putResource(c, { kind: 'product', ids: [SEED_PRODUCT] }, { displayName: 'Partners', subscriptionRequired: true, approvalRequired: false, state: 'published' });
  await putResource(c, { kind: 'productApi', ids: [SEED_PRODUCT, seedApiId(0)] }, {});
}
