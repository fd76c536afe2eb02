import type { ResourceKind } from '../resources/types';
import type { Properties } from './source-folder';

/**
 * Which ARM properties of each kind the repository format holds, so that a property it cannot say is named instead of
 * silently dropped. `left out` ones are descriptive (shown in the portal, never changing what the gateway does): they
 * are reported as notes and the import goes on; any other property with a value makes the resource unconvertible.
 */

interface FieldRules {
  held: readonly string[];
  /** Read-only or derived on the instance: an export carries them, a publish never sends them. */
  derived?: readonly string[];
  leftOut?: Readonly<Record<string, string>>;
}

const POLICY: FieldRules = { held: ['value', 'format'] };
const DIAGNOSTIC: FieldRules = {
  held: ['loggerId', 'alwaysLog', 'sampling', 'verbosity', 'logClientIp', 'httpCorrelationProtocol', 'operationNameFormat', 'metrics', 'frontend', 'backend'],
};
const LINK: FieldRules = { held: [], derived: ['apiId', 'groupId', 'productId', 'tagId', 'displayName', 'name'] };

const RULES: Partial<Record<ResourceKind, FieldRules>> = {
  namedValue: { held: ['displayName', 'value', 'secret', 'keyVault', 'tags'] },
  backend: { held: ['url', 'protocol', 'title', 'description', 'resourceId', 'tls', 'credentials'], derived: ['type'] },
  apiVersionSet: { held: ['displayName', 'description', 'versioningScheme', 'versionHeaderName', 'versionQueryName'] },
  group: { held: ['displayName', 'description', 'externalId'], derived: ['type', 'builtIn'] },
  subscription: {
    held: ['displayName', 'scope', 'state', 'ownerId', 'allowTracing'],
    derived: ['createdDate', 'startDate', 'expirationDate', 'endDate', 'notificationDate', 'stateComment'],
    leftOut: {
      primaryKey: 'its keys are not imported: APIM generates new ones (or set primaryKeyFromEnv / secondaryKeyFromEnv)',
      secondaryKey: 'its keys are not imported: APIM generates new ones (or set primaryKeyFromEnv / secondaryKeyFromEnv)',
    },
  },
  logger: { held: ['loggerType', 'description', 'credentials', 'isBuffered', 'resourceId'] },
  diagnostic: DIAGNOSTIC,
  apiDiagnostic: DIAGNOSTIC,
  api: {
    held: ['displayName', 'description', 'path', 'protocols', 'serviceUrl', 'subscriptionRequired', 'subscriptionKeyParameterNames', 'apiVersion', 'apiVersionSetId', 'type', 'apiType'],
    // The layout names the settings it cannot say (authorization servers, contact, licence, terms).
    derived: [
      'apiVersionSet', 'isOnline', 'sourceApiId', 'format', 'value', 'authenticationSettings', 'contact', 'license', 'termsOfServiceUrl',
      'apiRevision', 'isCurrent',
    ],
    leftOut: {
      apiRevisionDescription: 'its revision description is not held by the repository format (left out)',
      apiVersionDescription: 'its version description is not held by the repository format (left out)',
    },
  },
  apiOperation: { held: ['displayName', 'method', 'urlTemplate'] },
  product: { held: ['displayName', 'description', 'subscriptionRequired', 'approvalRequired', 'subscriptionsLimit', 'state', 'terms'] },
  policyFragment: { held: ['value', 'format'], leftOut: { description: 'its description is not held by the repository format (left out)' } },
  globalPolicy: POLICY,
  apiPolicy: POLICY,
  operationPolicy: POLICY,
  productPolicy: POLICY,
  productApi: LINK,
  productGroup: LINK,
  apiTag: LINK,
  productTag: LINK,
};

/** Whether a value says anything: empty lists, objects and strings, and null, say nothing. */
function hasValue(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value && typeof value === 'object') return Object.values(value).some(hasValue);
  return value !== undefined && value !== null && value !== '';
}

export interface FieldReport {
  unheld: string[];
  notes: string[];
}

export function unheldFields(kind: ResourceKind, properties: Properties): FieldReport {
  const rules = RULES[kind] ?? { held: [] };
  const report: FieldReport = { unheld: [], notes: [] };
  for (const [field, value] of Object.entries(properties)) {
    if (rules.held.includes(field) || rules.derived?.includes(field) || !hasValue(value)) continue;
    const note = rules.leftOut?.[field];
    if (note) {
      if (!report.notes.includes(note)) report.notes.push(note);
    } else {
      report.unheld.push(field);
    }
  }
  return report;
}
