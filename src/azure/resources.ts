import type { ApimConnection } from './client';
import type { ResourceKind } from '../resources/types';

/**
 * Per-kind access to the SDK: list, get, put, patch, delete for every managed kind, each a one-line call of the
 * generated client. Reads keep the raw ARM body (through the SDK's `onResponse`): it is the exact `properties`
 * shape the desired state uses, it carries the ETag header, and it keeps the policy text that the SDK's typed
 * `apiPolicy.get` result drops. Writes take ARM `properties` and rename the few fields whose SDK model name differs.
 */

/** An ARM entity as it travels on the wire. */
export interface RawEntity {
  name?: string;
  properties?: Record<string, unknown>;
}

export interface RawRead {
  properties: Record<string, unknown>;
  etag?: string;
  /** The resource's id as the instance spells it (ids are case-insensitive; a GET answers whatever case it was asked). */
  name?: string;
}

interface RawResponse {
  status: number;
  headers: { get(name: string): string | undefined };
  /** The body as received (the SDK replaces parsedBody with its flattened model, so the text is what is kept). */
  bodyAsText?: string | null;
}

function rawBody(response: RawResponse | undefined): unknown {
  return response?.bodyAsText ? JSON.parse(response.bodyAsText) : undefined;
}

export interface ReadOptions {
  onResponse: (response: RawResponse) => void;
}

type Ids = string[];

export interface KindAccess {
  /** Every resource of the kind under the parent whose ids are given (absent for singleton policies). */
  list?: (c: ApimConnection, parentIds: Ids) => Promise<RawEntity[]>;
  /** One resource, or undefined when it does not exist. */
  get: (c: ApimConnection, ids: Ids) => Promise<RawRead | undefined>;
  put: (c: ApimConnection, ids: Ids, properties: Record<string, unknown>, condition: WriteCondition) => Promise<void>;
  /** Partial update (only where a PUT cannot be formed, e.g. a secret whose value is not available here). */
  patch?: (c: ApimConnection, ids: Ids, properties: Record<string, unknown>, ifMatch: string) => Promise<void>;
  remove: (c: ApimConnection, ids: Ids, ifMatch: string) => Promise<void>;
}

/**
 * What a write requires of the resource: the ETag it must still have (`ifMatch`), or that it must not exist yet
 * (`ifNoneMatch: '*'`, a create). Neither: unconditional.
 */
export interface WriteCondition {
  ifMatch?: string;
  ifNoneMatch?: '*';
}

/** The SDK options carrying a condition: the SDK has an `ifMatch` option, and If-None-Match goes as a header. */
function conditionOptions({ ifMatch, ifNoneMatch }: WriteCondition): { ifMatch?: string; requestOptions?: { customHeaders: Record<string, string> } } {
  return { ifMatch, ...(ifNoneMatch ? { requestOptions: { customHeaders: { 'If-None-Match': ifNoneMatch } } } : {}) };
}

export function isNotFound(error: unknown): boolean {
  return (error as { statusCode?: number })?.statusCode === 404;
}

export async function listRaw(start: (options: ReadOptions) => { byPage(): AsyncIterable<unknown> }): Promise<RawEntity[]> {
  const entities: RawEntity[] = [];
  const pages = start({
    onResponse: (response) => entities.push(...(((rawBody(response) as { value?: RawEntity[] }) ?? {}).value ?? [])),
  }).byPage();
  for await (const _page of pages) {
    // Pages are consumed for their raw bodies, collected above.
  }
  return entities;
}

async function getRaw(fetch: (options: ReadOptions) => Promise<unknown>): Promise<RawRead | undefined> {
  let captured: RawResponse | undefined;
  try {
    await fetch({ onResponse: (response) => (captured = response) });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  const body = (rawBody(captured) ?? {}) as RawEntity;
  return { properties: body.properties ?? {}, etag: captured?.headers.get('etag') ?? undefined, name: body.name };
}

/** A link has no body: it exists (HEAD 204) or not (404). */
async function linkRead(check: () => Promise<unknown>): Promise<RawRead | undefined> {
  try {
    await check();
    return { properties: {} };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** ARM property name → SDK model property name, where they differ (from the SDK's mappers). */
const SDK_NAMES: Partial<Record<ResourceKind, Record<string, string>>> = {
  api: { type: 'apiType', apiType: 'soapApiType', translateRequiredQueryParameters: 'translateRequiredQueryParametersConduct' },
  backend: { type: 'typePropertiesType' },
};

function toSdk(kind: ResourceKind, properties: Record<string, unknown>): any {
  // The SDK's schema model flattens `document` (value, definitions, components) into the contract.
  if (kind === 'apiSchema') {
    const { document, ...rest } = properties;
    return { ...rest, ...(document as Record<string, unknown> | undefined) };
  }
  const names = SDK_NAMES[kind] ?? {};
  return Object.fromEntries(Object.entries(properties).map(([key, value]) => [names[key] ?? key, value]));
}

const POLICY = 'policy';
const RAW_XML = { format: 'rawxml' as const };

const rg = (c: ApimConnection): string => c.scope.resourceGroup;
const svc = (c: ApimConnection): string => c.scope.serviceName;
const lro = (c: ApimConnection) => ({ updateIntervalInMs: c.pollIntervalInMs });

/** The SDK operation group of a plain service-level kind (no long-running writes, no extra options). */
interface ServiceLevelOperations {
  listByService(resourceGroup: string, service: string, options: ReadOptions): { byPage(): AsyncIterable<unknown> };
  get(resourceGroup: string, service: string, id: string, options: ReadOptions): Promise<unknown>;
  createOrUpdate(resourceGroup: string, service: string, id: string, parameters: any, options: ReturnType<typeof conditionOptions>): Promise<unknown>;
  delete(resourceGroup: string, service: string, id: string, ifMatch: string): Promise<void>;
}

function serviceLevel(kind: ResourceKind, operations: (c: ApimConnection) => ServiceLevelOperations): KindAccess {
  return {
    list: (c) => listRaw((o) => operations(c).listByService(rg(c), svc(c), o)),
    get: (c, [id]) => getRaw((o) => operations(c).get(rg(c), svc(c), id, o)),
    put: async (c, [id], p, condition) => {
      await operations(c).createOrUpdate(rg(c), svc(c), id, toSdk(kind, p), conditionOptions(condition));
    },
    remove: (c, [id], ifMatch) => operations(c).delete(rg(c), svc(c), id, ifMatch),
  };
}

const KIND_ACCESS: Partial<Record<ResourceKind, KindAccess>> = {
  namedValue: {
    list: (c) => listRaw((o) => c.client.namedValue.listByService(rg(c), svc(c), o)),
    get: (c, [id]) => getRaw((o) => c.client.namedValue.get(rg(c), svc(c), id, o)),
    put: async (c, [id], p, condition) => {
      await c.client.namedValue.beginCreateOrUpdateAndWait(rg(c), svc(c), id, toSdk('namedValue', p), { ...conditionOptions(condition), ...lro(c) });
    },
    patch: async (c, [id], p, ifMatch) => {
      await c.client.namedValue.beginUpdateAndWait(rg(c), svc(c), id, ifMatch, toSdk('namedValue', p), lro(c));
    },
    remove: (c, [id], ifMatch) => c.client.namedValue.delete(rg(c), svc(c), id, ifMatch),
  },
  backend: serviceLevel('backend', (c) => c.client.backend),
  policyFragment: {
    list: (c) => listRaw((o) => c.client.policyFragment.listByService(rg(c), svc(c), o)),
    get: (c, [id]) => getRaw((o) => c.client.policyFragment.get(rg(c), svc(c), id, { ...RAW_XML, ...o })),
    put: async (c, [id], p, condition) => {
      await c.client.policyFragment.beginCreateOrUpdateAndWait(rg(c), svc(c), id, toSdk('policyFragment', p), { ...conditionOptions(condition), ...lro(c) });
    },
    remove: (c, [id], ifMatch) => c.client.policyFragment.delete(rg(c), svc(c), id, ifMatch),
  },
  globalPolicy: {
    get: (c) => getRaw((o) => c.client.policy.get(rg(c), svc(c), POLICY, { ...RAW_XML, ...o })),
    put: async (c, _ids, p, condition) => {
      await c.client.policy.createOrUpdate(rg(c), svc(c), POLICY, toSdk('globalPolicy', p), conditionOptions(condition));
    },
    remove: (c, _ids, ifMatch) => c.client.policy.delete(rg(c), svc(c), POLICY, ifMatch),
  },
  api: {
    list: (c) => listRaw((o) => c.client.api.listByService(rg(c), svc(c), o)),
    get: (c, [apiId]) => getRaw((o) => c.client.api.get(rg(c), svc(c), apiId, o)),
    put: async (c, [apiId], p, condition) => {
      await c.client.api.beginCreateOrUpdateAndWait(rg(c), svc(c), apiId, toSdk('api', p), { ...conditionOptions(condition), ...lro(c) });
    },
    remove: async (c, [apiId], ifMatch) => {
      await c.client.api.beginDeleteAndWait(rg(c), svc(c), apiId, ifMatch, { deleteRevisions: true, ...lro(c) });
    },
  },
  apiOperation: {
    list: (c, [apiId]) => listRaw((o) => c.client.apiOperation.listByApi(rg(c), svc(c), apiId, o)),
    get: (c, [apiId, opId]) => getRaw((o) => c.client.apiOperation.get(rg(c), svc(c), apiId, opId, o)),
    put: async (c, [apiId, opId], p, condition) => {
      await c.client.apiOperation.createOrUpdate(rg(c), svc(c), apiId, opId, toSdk('apiOperation', p), conditionOptions(condition));
    },
    remove: (c, [apiId, opId], ifMatch) => c.client.apiOperation.delete(rg(c), svc(c), apiId, opId, ifMatch),
  },
  apiPolicy: {
    get: (c, [apiId]) => getRaw((o) => c.client.apiPolicy.get(rg(c), svc(c), apiId, POLICY, { ...RAW_XML, ...o })),
    put: async (c, [apiId], p, condition) => {
      await c.client.apiPolicy.createOrUpdate(rg(c), svc(c), apiId, POLICY, toSdk('apiPolicy', p), conditionOptions(condition));
    },
    remove: (c, [apiId], ifMatch) => c.client.apiPolicy.delete(rg(c), svc(c), apiId, POLICY, ifMatch),
  },
  operationPolicy: {
    get: (c, [apiId, opId]) =>
      getRaw((o) => c.client.apiOperationPolicy.get(rg(c), svc(c), apiId, opId, POLICY, { ...RAW_XML, ...o })),
    put: async (c, [apiId, opId], p, condition) => {
      await c.client.apiOperationPolicy.createOrUpdate(rg(c), svc(c), apiId, opId, POLICY, toSdk('operationPolicy', p), conditionOptions(condition));
    },
    remove: (c, [apiId, opId], ifMatch) =>
      c.client.apiOperationPolicy.delete(rg(c), svc(c), apiId, opId, POLICY, ifMatch),
  },
  product: {
    list: (c) => listRaw((o) => c.client.product.listByService(rg(c), svc(c), o)),
    get: (c, [productId]) => getRaw((o) => c.client.product.get(rg(c), svc(c), productId, o)),
    put: async (c, [productId], p, condition) => {
      await c.client.product.createOrUpdate(rg(c), svc(c), productId, toSdk('product', p), conditionOptions(condition));
    },
    // A product the repository no longer has goes with its subscriptions (they are not managed here and cannot
    // outlive it); without the flag the service refuses to delete a product anyone subscribes to.
    remove: (c, [productId], ifMatch) => c.client.product.delete(rg(c), svc(c), productId, ifMatch, { deleteSubscriptions: true }),
  },
  productApi: {
    list: (c, [productId]) => listRaw((o) => c.client.productApi.listByProduct(rg(c), svc(c), productId, o)),
    get: (c, [productId, apiId]) => linkRead(() => c.client.productApi.checkEntityExists(rg(c), svc(c), productId, apiId)),
    put: async (c, [productId, apiId]) => {
      await c.client.productApi.createOrUpdate(rg(c), svc(c), productId, apiId);
    },
    remove: (c, [productId, apiId]) => c.client.productApi.delete(rg(c), svc(c), productId, apiId),
  },
  productGroup: {
    list: (c, [productId]) => listRaw((o) => c.client.productGroup.listByProduct(rg(c), svc(c), productId, o)),
    get: (c, [productId, groupId]) =>
      linkRead(() => c.client.productGroup.checkEntityExists(rg(c), svc(c), productId, groupId)),
    put: async (c, [productId, groupId]) => {
      await c.client.productGroup.createOrUpdate(rg(c), svc(c), productId, groupId);
    },
    remove: (c, [productId, groupId]) => c.client.productGroup.delete(rg(c), svc(c), productId, groupId),
  },
  productPolicy: {
    get: (c, [productId]) =>
      getRaw((o) => c.client.productPolicy.get(rg(c), svc(c), productId, POLICY, { ...RAW_XML, ...o })),
    put: async (c, [productId], p, condition) => {
      await c.client.productPolicy.createOrUpdate(rg(c), svc(c), productId, POLICY, toSdk('productPolicy', p), conditionOptions(condition));
    },
    remove: (c, [productId], ifMatch) => c.client.productPolicy.delete(rg(c), svc(c), productId, POLICY, ifMatch),
  },
  apiVersionSet: serviceLevel('apiVersionSet', (c) => c.client.apiVersionSet),
  group: serviceLevel('group', (c) => c.client.group),
  logger: serviceLevel('logger', (c) => c.client.logger),
  diagnostic: serviceLevel('diagnostic', (c) => c.client.diagnostic),
  // The one service-level group whose list is not called listByService.
  subscription: serviceLevel('subscription', (c) => {
    const operations = c.client.subscription;
    return {
      listByService: (resourceGroup, service, options) => operations.list(resourceGroup, service, options),
      get: (resourceGroup, service, id, options) => operations.get(resourceGroup, service, id, options),
      createOrUpdate: (resourceGroup, service, id, parameters, options) => operations.createOrUpdate(resourceGroup, service, id, parameters, options),
      delete: (resourceGroup, service, id, ifMatch) => operations.delete(resourceGroup, service, id, ifMatch),
    };
  }),
  apiDiagnostic: {
    list: (c, [apiId]) => listRaw((o) => c.client.apiDiagnostic.listByService(rg(c), svc(c), apiId, o)),
    get: (c, [apiId, id]) => getRaw((o) => c.client.apiDiagnostic.get(rg(c), svc(c), apiId, id, o)),
    put: async (c, [apiId, id], p, condition) => {
      await c.client.apiDiagnostic.createOrUpdate(rg(c), svc(c), apiId, id, toSdk('apiDiagnostic', p), conditionOptions(condition));
    },
    remove: (c, [apiId, id], ifMatch) => c.client.apiDiagnostic.delete(rg(c), svc(c), apiId, id, ifMatch),
  },
  apiRelease: {
    list: (c, [apiId]) => listRaw((o) => c.client.apiRelease.listByService(rg(c), svc(c), apiId, o)),
    get: (c, [apiId, id]) => getRaw((o) => c.client.apiRelease.get(rg(c), svc(c), apiId, id, o)),
    put: async (c, [apiId, id], p, condition) => {
      await c.client.apiRelease.createOrUpdate(rg(c), svc(c), apiId, id, toSdk('apiRelease', p), conditionOptions(condition));
    },
    remove: (c, [apiId, id], ifMatch) => c.client.apiRelease.delete(rg(c), svc(c), apiId, id, ifMatch),
  },
  apiSchema: {
    list: (c, [apiId]) => listRaw((o) => c.client.apiSchema.listByApi(rg(c), svc(c), apiId, o)),
    get: (c, [apiId, id]) => getRaw((o) => c.client.apiSchema.get(rg(c), svc(c), apiId, id, o)),
    put: async (c, [apiId, id], p, condition) => {
      await c.client.apiSchema.beginCreateOrUpdateAndWait(rg(c), svc(c), apiId, id, toSdk('apiSchema', p), { ...conditionOptions(condition), ...lro(c) });
    },
    remove: (c, [apiId, id], ifMatch) => c.client.apiSchema.delete(rg(c), svc(c), apiId, id, ifMatch),
  },
  graphQLResolver: {
    list: (c, [apiId]) => listRaw((o) => c.client.graphQLApiResolver.listByApi(rg(c), svc(c), apiId, o)),
    get: (c, [apiId, id]) => getRaw((o) => c.client.graphQLApiResolver.get(rg(c), svc(c), apiId, id, o)),
    put: async (c, [apiId, id], p, condition) => {
      await c.client.graphQLApiResolver.createOrUpdate(rg(c), svc(c), apiId, id, toSdk('graphQLResolver', p), conditionOptions(condition));
    },
    remove: (c, [apiId, id], ifMatch) => c.client.graphQLApiResolver.delete(rg(c), svc(c), apiId, id, ifMatch),
  },
  resolverPolicy: {
    get: (c, [apiId, id]) => getRaw((o) => c.client.graphQLApiResolverPolicy.get(rg(c), svc(c), apiId, id, POLICY, { ...RAW_XML, ...o })),
    put: async (c, [apiId, id], p, condition) => {
      await c.client.graphQLApiResolverPolicy.createOrUpdate(rg(c), svc(c), apiId, id, POLICY, toSdk('resolverPolicy', p), conditionOptions(condition));
    },
    remove: (c, [apiId, id], ifMatch) => c.client.graphQLApiResolverPolicy.delete(rg(c), svc(c), apiId, id, POLICY, ifMatch),
  },
  tag: serviceLevel('tag', (c) => c.client.tag),
  apiTag: {
    list: (c, [apiId]) => listRaw((o) => c.client.tag.listByApi(rg(c), svc(c), apiId, o)),
    get: (c, [apiId, tagId]) => linkRead(() => c.client.tag.getEntityStateByApi(rg(c), svc(c), apiId, tagId)),
    put: async (c, [apiId, tagId]) => {
      await c.client.tag.assignToApi(rg(c), svc(c), apiId, tagId);
    },
    remove: (c, [apiId, tagId]) => c.client.tag.detachFromApi(rg(c), svc(c), apiId, tagId),
  },
  productTag: {
    list: (c, [productId]) => listRaw((o) => c.client.tag.listByProduct(rg(c), svc(c), productId, o)),
    get: (c, [productId, tagId]) => linkRead(() => c.client.tag.getEntityStateByProduct(rg(c), svc(c), productId, tagId)),
    put: async (c, [productId, tagId]) => {
      await c.client.tag.assignToProduct(rg(c), svc(c), productId, tagId);
    },
    remove: (c, [productId, tagId]) => c.client.tag.detachFromProduct(rg(c), svc(c), productId, tagId),
  },
  operationTag: {
    list: (c, [apiId, operationId]) => listRaw((o) => c.client.tag.listByOperation(rg(c), svc(c), apiId, operationId, o)),
    get: (c, [apiId, operationId, tagId]) => linkRead(() => c.client.tag.getEntityStateByOperation(rg(c), svc(c), apiId, operationId, tagId)),
    put: async (c, [apiId, operationId, tagId]) => {
      await c.client.tag.assignToOperation(rg(c), svc(c), apiId, operationId, tagId);
    },
    remove: (c, [apiId, operationId, tagId]) => c.client.tag.detachFromOperation(rg(c), svc(c), apiId, operationId, tagId),
  },
};

/**
 * A tag's operation links, listed from the tag's side: one request per tag, however many operations the instance has
 * (listing them from each operation would cost one request per operation).
 */
/** An API's revisions (ApiRevisionContract entries: `apiRevision`, `isCurrent` at the top, no ARM resource name). */
export function revisionsOfApi(c: ApimConnection, apiId: string): Promise<RawEntity[]> {
  return listRaw((o) => c.client.apiRevision.listByService(rg(c), svc(c), apiId, o));
}

/** Every non-current API revision of the instance (`orders;rev=2`), in one list. */
export function nonCurrentRevisions(c: ApimConnection): Promise<RawEntity[]> {
  return listRaw((o) => c.client.api.listByService(rg(c), svc(c), { ...o, filter: 'isCurrent eq false' }));
}

/** One operation tag link: the operation's and the tag's ids (the last segments of their ARM ids), the tag's display name. */
export interface OperationTagLink {
  operationId: string;
  tagId: string;
  displayName?: string;
}

/**
 * The tag links of one API's operations in one list (Operation - List By Tags), rather than one list per operation:
 * what reading a single API needs.
 */
export async function operationTagsOfApi(c: ApimConnection, apiId: string): Promise<OperationTagLink[]> {
  const listed = (await listRaw((o) => c.client.operationOperations.listByTags(rg(c), svc(c), apiId, { ...o, includeNotTaggedOperations: false }))) as Array<{
    tag?: { id?: string; name?: string };
    operation?: { id?: string };
  }>;
  const lastSegment = (id: string | undefined) => (id ? decodeURIComponent(id.slice(id.lastIndexOf('/') + 1)) : undefined);
  return listed.flatMap(({ tag, operation }) => {
    const [operationId, tagId] = [lastSegment(operation?.id), lastSegment(tag?.id)];
    return operationId && tagId ? [{ operationId, tagId, displayName: tag?.name }] : [];
  });
}

export function operationLinksOfTag(c: ApimConnection, tagId: string): Promise<RawEntity[]> {
  return listRaw((o) => c.client.tagOperationLink.listByProduct(rg(c), svc(c), tagId, o));
}

export function kindAccess(kind: ResourceKind): KindAccess {
  const access = KIND_ACCESS[kind];
  if (!access) throw new Error(`apiops does not read or write ${kind} resources`);
  return access;
}
