import { apiBehaviour, operationBehaviour } from './apis';
import { armBody, listReply, type ArmRequest, type Behaviour, type BehaviourTable, type EmulatorEnv, type EntityInput, type Prepared, type Reply, type WriteInput } from './engine';
import { ArmError, conflict, invalidField, notFound, validationError } from './errors';
import { sameId } from './ids';
import { addLinkBehaviours, removeLinksTo } from './links';
import { diagnosticBehaviour, loggerBehaviour } from './loggers';
import { policyBehaviour, provisionGlobalPolicy, refuseDeleteWhileUsed } from './policies';
import { releaseBehaviour, revisionList } from './revisions';
import { routeOf, type RouteMatch } from './routes';
import { namedValueBehaviour, subscriptionBehaviour } from './secrets';
import type { ServiceState } from './store';

/** Per-kind behaviour on top of the generic CRUD, keyed by route template; and what a new service holds. */

type Defaults = Record<string, unknown> | ((properties: Record<string, unknown>) => Record<string, unknown>);

function withDefaults(defaults: Defaults, check?: (input: WriteInput) => void): Behaviour {
  return {
    prepare(input: WriteInput): Prepared {
      check?.(input);
      const properties = { ...(typeof defaults === 'function' ? defaults(input.properties) : defaults), ...input.properties };
      delete properties.provisioningState;
      return { properties };
    },
  };
}

function oneOf(property: string, allowed: string[]) {
  return ({ properties }: WriteInput) => {
    const value = properties[property];
    if (value !== undefined && !allowed.includes(String(value))) throw invalidField(property, `'${String(value)}' is not a valid ${property}; expected one of ${allowed.join(', ')}.`);
  };
}

function checkProduct(input: WriteInput): void {
  oneOf('state', ['published', 'notPublished'])(input);
  const { properties } = input;
  if (properties.subscriptionRequired === false && (properties.approvalRequired === true || properties.subscriptionsLimit !== undefined && properties.subscriptionsLimit !== null)) {
    throw invalidField('subscriptionRequired', "'approvalRequired' and 'subscriptionsLimit' can be set only when 'subscriptionRequired' is true.");
  }
}

/** A product that requires subscriptions reads back `approvalRequired: false` unless told otherwise (Azure's example). */
function productDefaults(properties: Record<string, unknown>): Record<string, unknown> {
  const subscriptionRequired = properties.subscriptionRequired ?? true;
  return { subscriptionRequired, state: 'notPublished', ...(subscriptionRequired === true ? { approvalRequired: false } : {}) };
}

const productWithDefaults = withDefaults(productDefaults, checkProduct);

/** APIM gives every new product a link to the built-in Administrators group. */
function prepareProduct(input: WriteInput): Prepared {
  const prepared = (productWithDefaults.prepare as NonNullable<Behaviour['prepare']>)(input);
  if (input.existing) return prepared;
  const groupId = `${input.request.servicePath}/groups/administrators`;
  return { ...prepared, afterWrite: (product) => input.request.service.put(`products/${product.name}/groupLinks`, 'administrators', { groupId }) };
}

/** APIM refuses to delete a product with subscriptions unless asked to delete them too. */
function deleteProductSubscriptions({ request, entity }: EntityInput): void {
  const scope = `/products/${entity.name}`.toLowerCase();
  const subscriptions = request.service.list('subscriptions').filter((s) => String(s.properties.scope).toLowerCase().endsWith(scope));
  if (!subscriptions.length) return;
  if (request.query.get('deleteSubscriptions') !== 'true') {
    throw conflict(`Product '${entity.name}' has ${subscriptions.length} subscription(s); delete them first or pass deleteSubscriptions=true.`);
  }
  for (const s of subscriptions) request.service.delete('subscriptions', s.name);
}

function checkVersionSet(input: WriteInput): void {
  oneOf('versioningScheme', ['Segment', 'Query', 'Header'])(input);
  const { versioningScheme, versionQueryName, versionHeaderName } = input.properties;
  if (versioningScheme === 'Query' && !versionQueryName) throw invalidField('versionQueryName', "'versionQueryName' is required for the Query versioning scheme.");
  if (versioningScheme === 'Header' && !versionHeaderName) throw invalidField('versionHeaderName', "'versionHeaderName' is required for the Header versioning scheme.");
}

/** A schema is a document of one of the content types APIM validates against. */
function checkSchema({ properties }: WriteInput): void {
  const document = properties.document as Record<string, unknown> | undefined;
  if (!document || typeof document !== 'object' || (document.value === undefined && document.definitions === undefined && document.components === undefined)) {
    throw invalidField('document', "'document' must hold 'value', 'definitions' or 'components'.");
  }
}

/** A single backend needs a URL and protocol; a load-balanced pool names other backends instead. */
function checkBackend(input: WriteInput): void {
  const { properties } = input;
  if (properties.type === 'Pool') return;
  const missing = ['url', 'protocol'].filter((p) => properties[p] === undefined || properties[p] === null || properties[p] === '');
  if (missing.length) throw validationError(missing.map((p) => ({ code: 'ValidationError', target: p, message: `'${p}' is required.` })));
  oneOf('protocol', ['http', 'soap'])(input);
  if (!isAbsoluteUri(properties.url)) throw invalidField('url', `'${String(properties.url)}' is not a valid absolute URL.`);
}

function isAbsoluteUri(value: unknown): boolean {
  if (typeof value !== 'string' || /\s/.test(value)) return false;
  try {
    return Boolean(new URL(value).protocol);
  } catch {
    return false;
  }
}

const SYSTEM_GROUPS: Array<[string, string, string]> = [
  ['administrators', 'Administrators', 'Administrators is a built-in group containing the admin email account provided at the time of service creation. Its membership is managed by the system.'],
  ['developers', 'Developers', 'Developers is a built-in group. Its membership is managed by the system. Signed-in users fall into this group.'],
  ['guests', 'Guests', 'Guests is a built-in group. Its membership is managed by the system. Unauthenticated users visiting the developer portal fall into this group.'],
];

function refuseBuiltIn({ entity }: EntityInput): void {
  if (entity.properties.builtIn) throw new ArmError(405, 'MethodNotAllowed', `Built-in group '${entity.name}' cannot be deleted.`);
}

const FRAGMENT_ID = /^(\w+|\w[\w-]*\w)$/;

function refuseVersionSetInUse({ request, entity }: EntityInput): void {
  const users = request.service.list('apis').filter((api) => String(api.properties.apiVersionSetId ?? '').toLowerCase().endsWith(`/apiversionsets/${entity.name.toLowerCase()}`));
  if (users.length) throw conflict(`The API version set '${entity.name}' is used by the following APIs: ${users.map((a) => a.name).join(', ')}`);
}

export function behaviourTable(): BehaviourTable {
  const table: BehaviourTable = new Map();
  const set = (kind: string, behaviour: Behaviour) => table.set(routeOf(kind).template, behaviour);
  const api = apiBehaviour();
  set('api', { ...api, afterDelete: (input) => [api.afterDelete, removeLinksTo].forEach((step) => step?.(input)) });
  set('apiOperation', { ...operationBehaviour(), afterDelete: removeLinksTo });
  for (const kind of ['globalPolicy', 'apiPolicy', 'operationPolicy', 'productPolicy']) set(kind, policyBehaviour('policies'));
  set('resolverPolicy', policyBehaviour('http-data-source'));
  const fragment = policyBehaviour('fragment');
  set('policyFragment', {
    ...fragment,
    prepare: (input) => {
      if (input.names[0].length > 80 || !FRAGMENT_ID.test(input.names[0])) throw invalidField('id', `'${input.names[0]}' is not a valid policy fragment id (letters, digits, '_' and '-', at most 80 characters).`);
      return (fragment.prepare as NonNullable<Behaviour['prepare']>)(input);
    },
  });
  set('namedValue', namedValueBehaviour());
  set('subscription', subscriptionBehaviour());
  set('backend', withDefaults({}, checkBackend));
  const backend = table.get(routeOf('backend').template) as Behaviour;
  backend.beforeDelete = (input) => refuseDeleteWhileUsed(input, 'Backend', (refs) => refs.backends.includes(input.entity.name.toLowerCase()));
  backend.actions = { reconnect: () => ({ status: 202 }) };
  set('product', { prepare: prepareProduct, beforeDelete: deleteProductSubscriptions, afterDelete: removeLinksTo });
  set('group', { ...withDefaults({ builtIn: false, type: 'custom' }, oneOf('type', ['custom', 'external'])), beforeDelete: refuseBuiltIn, afterDelete: removeLinksTo });
  set('tag', withDefaults({}));
  set('apiVersionSet', { ...withDefaults({}, checkVersionSet), beforeDelete: refuseVersionSetInUse });
  set('logger', loggerBehaviour());
  for (const kind of ['diagnostic', 'apiDiagnostic']) set(kind, diagnosticBehaviour());
  set('apiRelease', releaseBehaviour());
  set('apiSchema', withDefaults({}, checkSchema));
  set('graphQLResolver', withDefaults({}));
  table.set('apis/{apiId}/revisions/{revisionId}', { handle: revisionList });
  table.set('products/{productId}/subscriptions/{sid}', { handle: productSubscriptions(table) });
  addLinkBehaviours(table);
  return table;
}

/** `products/{p}/subscriptions`: a read-only view of the subscriptions scoped to the product. */
function productSubscriptions(table: BehaviourTable) {
  return (match: RouteMatch, request: ArmRequest, env: EmulatorEnv): Reply => {
    const product = match.names[0];
    if (!request.service.get('products', product)) throw notFound('Product');
    if (match.mode !== 'collection' || request.method !== 'GET') throw notFound('Subscription');
    const scoped = request.service.list('subscriptions').filter((s) => sameId(request, s.properties.scope, `/products/${product}`));
    const subscriptions = routeOf('subscription');
    return listReply(request, env, scoped.map((s) => armBody(request, match.route, [product, s.name], s, table.get(subscriptions.template))));
  };
}

/** Where a service keeps facts about itself (its creation time): no route reaches this collection. */
export const SERVICE_INFO = ['_service', 'info'] as const;

/** What every new APIM instance holds: the system groups, the administrator (user 1) and the default global policy. */
export function provisionService(service: ServiceState): void {
  service.put(SERVICE_INFO[0], SERVICE_INFO[1], { createdAtUtc: new Date().toISOString() });
  for (const [name, displayName, description] of SYSTEM_GROUPS) {
    service.put('groups', name, { displayName, description, builtIn: true, type: 'system' });
  }
  service.put('users', '1', { firstName: 'Administrator', lastName: '', email: 'admin@contoso.com', state: 'active', identities: [{ provider: 'Azure', id: 'admin@contoso.com' }] });
  provisionGlobalPolicy(service);
}
