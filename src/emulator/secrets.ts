import { randomBytes } from 'node:crypto';
import { quoted, type Behaviour, type EntityInput, type Prepared, type WriteInput } from './engine';
import { ArmError, conflict, invalidField } from './errors';
import { relativeId, resolveReference } from './ids';
import { refuseDeleteWhileUsed, renameNamedValueReferences } from './policies';

/**
 * Resources with secrets: named values (a secret value is never returned by GET, only by listValue; Key Vault
 * references) and subscriptions (keys generated, hidden on GET, listSecrets, regenerate).
 */

const NAMED_VALUE_NAME = /^[A-Za-z0-9._-]+$/;

function prepareNamedValue({ request, names, properties, existing }: WriteInput): Prepared {
  const displayName = String(properties.displayName);
  if (!NAMED_VALUE_NAME.test(displayName)) {
    throw invalidField('displayName', "Named value displayName can contain only letters, digits, periods, dashes and underscores.");
  }
  const clash = request.service.list('namedValues').find((e) => e.name.toLowerCase() !== names[0].toLowerCase() && String(e.properties.displayName).toLowerCase() === displayName.toLowerCase());
  if (clash) throw conflict(`Named value with the same displayName '${displayName}' already exists: '${clash.name}'.`);

  const stored: Record<string, unknown> = { ...properties };
  delete stored.provisioningState;
  const keyVault = stored.keyVault as { secretIdentifier?: unknown; identityClientId?: unknown } | undefined | null;
  let secretValue: string | undefined;
  if (keyVault) {
    if (typeof keyVault.secretIdentifier !== 'string' || !/^https:\/\/[^/]+\/secrets\//i.test(keyVault.secretIdentifier)) {
      throw invalidField('keyVault.secretIdentifier', "'secretIdentifier' must be a Key Vault secret URL (https://<vault>/secrets/<name>).");
    }
    stored.keyVault = {
      secretIdentifier: keyVault.secretIdentifier,
      ...(keyVault.identityClientId ? { identityClientId: keyVault.identityClientId } : {}),
      lastStatus: { code: 'Success', timeStampUtc: new Date().toISOString() },
    };
    stored.secret = true;
    delete stored.value;
  } else {
    delete stored.keyVault;
    const value = stored.value ?? existing?.secrets?.value;
    if (value === undefined || value === null || value === '') throw invalidField('value', "'value' is required unless 'keyVault' is given.");
    if (typeof value !== 'string' || value.length > 4096) throw invalidField('value', "'value' must be a string of at most 4096 characters.");
    stored.secret = Boolean(stored.secret);
    if (stored.secret) {
      secretValue = value;
      delete stored.value;
    } else {
      stored.value = value;
    }
  }
  const oldName = existing?.properties.displayName;
  return {
    properties: stored,
    secrets: secretValue === undefined ? undefined : { value: secretValue },
    afterWrite: () => {
      if (typeof oldName === 'string' && oldName.toLowerCase() !== displayName.toLowerCase()) renameNamedValueReferences(request.service, oldName, displayName);
    },
  };
}

export function namedValueBehaviour(): Behaviour {
  return {
    prepare: prepareNamedValue,
    beforeDelete: (input) => {
      const displayName = String(input.entity.properties.displayName).toLowerCase();
      refuseDeleteWhileUsed(input, 'Named Value', (refs) => refs.namedValues.includes(displayName));
    },
    actions: {
      listValue: ({ entity }: EntityInput) => {
        if (entity.properties.keyVault) throw new ArmError(400, 'ValidationError', `The emulator cannot resolve the Key Vault secret of named value '${entity.name}'.`);
        // Like Azure, with the ETag of the version the value belongs to.
        return { status: 200, headers: { ETag: quoted(entity.etag) }, body: { value: entity.secrets?.value ?? entity.properties.value } };
      },
      refreshSecret: ({ request, entity }: EntityInput) => ({ status: 200, body: { id: `${request.servicePath}/namedValues/${entity.name}`, type: 'Microsoft.ApiManagement/service/namedValues', name: entity.name, properties: entity.properties } }),
    },
  };
}

const newKey = (): string => randomBytes(16).toString('hex');

const SCOPE_ROUTES: Array<[RegExp, string]> = [
  [/^\/products\/[^/]+$/i, 'products/{productId}'],
  [/^\/apis\/[^/]+$/i, 'apis/{apiId}'],
];

function prepareSubscription({ request, properties, existing }: WriteInput): Prepared {
  const stored: Record<string, unknown> = { ...properties };
  const scope = String(stored.scope);
  const relative = relativeId(request, scope);
  if (relative === undefined) throw invalidField('scope', `'${scope}' is not in this service.`);
  if (relative.toLowerCase() !== '/apis' && relative !== '') {
    const route = SCOPE_ROUTES.find(([pattern]) => pattern.test(relative))?.[1];
    if (!route) throw invalidField('scope', `'${scope}' is not a valid subscription scope (/apis, /apis/{apiId} or /products/{productId}).`);
    resolveReference(request, 'scope', scope, route);
  }
  if (stored.state !== undefined && !['suspended', 'active', 'expired', 'submitted', 'rejected', 'cancelled'].includes(String(stored.state))) {
    throw invalidField('state', `'${String(stored.state)}' is not a valid subscription state.`);
  }
  const primaryKey = (stored.primaryKey as string | undefined) ?? existing?.secrets?.primaryKey ?? newKey();
  const secondaryKey = (stored.secondaryKey as string | undefined) ?? existing?.secrets?.secondaryKey ?? newKey();
  delete stored.primaryKey;
  delete stored.secondaryKey;
  return {
    properties: { state: 'submitted', createdDate: existing?.properties.createdDate ?? new Date().toISOString(), ...stored },
    secrets: { primaryKey, secondaryKey },
  };
}

function regenerate(which: 'primaryKey' | 'secondaryKey') {
  return ({ request, entity }: EntityInput) => {
    request.service.put('subscriptions', entity.name, entity.properties, entity.hidden, { ...entity.secrets, [which]: newKey() });
    return { status: 204 };
  };
}

export function subscriptionBehaviour(): Behaviour {
  return {
    prepare: prepareSubscription,
    actions: {
      listSecrets: ({ entity }: EntityInput) => ({ status: 200, body: { primaryKey: entity.secrets?.primaryKey, secondaryKey: entity.secrets?.secondaryKey } }),
      regeneratePrimaryKey: regenerate('primaryKey'),
      regenerateSecondaryKey: regenerate('secondaryKey'),
    },
  };
}
