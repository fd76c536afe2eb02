import { randomBytes } from 'node:crypto';
import type { Behaviour, Prepared, WriteInput } from './engine';
import { invalidField } from './errors';
import { resolveReference } from './ids';

/**
 * Loggers and diagnostics. A logger's credentials are kept as APIM keeps them: a literal key or connection string
 * is moved into a new secret named value (`Logger-Credentials-<id>`) and the logger holds `{{that name}}`; a
 * reference to an existing named value is kept as written. Diagnostics (service and API scope) name a logger.
 */

const LOGGER_TYPES = ['azureEventHub', 'applicationInsights', 'azureMonitor'];
/** Credential entries that are secrets (the rest, such as an Event Hub's `name`, are plain settings). */
const SECRET_CREDENTIALS = new Set(['instrumentationKey', 'connectionString']);
const REFERENCE = /^\{\{([A-Za-z0-9._-]+)\}\}$/;

type Json = Record<string, unknown>;

function namedValueExists(input: WriteInput, displayName: string): boolean {
  return input.request.service.list('namedValues').some((e) => String(e.properties.displayName).toLowerCase() === displayName.toLowerCase());
}

function prepareLogger(input: WriteInput): Prepared {
  const { properties, request } = input;
  if (!LOGGER_TYPES.includes(String(properties.loggerType))) throw invalidField('loggerType', `'${String(properties.loggerType)}' is not a valid loggerType; expected one of ${LOGGER_TYPES.join(', ')}.`);
  const credentials = properties.credentials;
  if (credentials !== undefined && credentials !== null && (typeof credentials !== 'object' || Array.isArray(credentials))) throw invalidField('credentials', "'credentials' must be an object.");
  if (properties.loggerType !== 'azureMonitor' && !credentials) throw invalidField('credentials', `A logger of type '${String(properties.loggerType)}' needs 'credentials'.`);
  const created: Array<{ name: string; value: string }> = [];
  const stored: Json = {};
  for (const [key, value] of Object.entries((credentials as Json | undefined) ?? {})) {
    if (typeof value !== 'string') throw invalidField(`credentials.${key}`, `'credentials.${key}' must be a string.`);
    const reference = REFERENCE.exec(value);
    if (reference) {
      if (!namedValueExists(input, reference[1])) throw invalidField(`credentials.${key}`, `Cannot find a property '${reference[1]}'.`);
      stored[key] = value;
    } else if (SECRET_CREDENTIALS.has(key)) {
      const name = `Logger-Credentials-${randomBytes(12).toString('hex')}`;
      created.push({ name, value });
      stored[key] = `{{${name}}}`;
    } else {
      stored[key] = value;
    }
  }
  const result: Json = { isBuffered: true, ...properties, ...(credentials ? { credentials: stored } : {}) };
  delete result.provisioningState;
  return {
    properties: result,
    afterWrite: () => {
      for (const { name, value } of created) request.service.put('namedValues', name, { displayName: name, secret: true, tags: [] }, undefined, { value });
    },
  };
}

const ALWAYS_LOG = ['allErrors'];
const VERBOSITY = ['verbose', 'information', 'error'];
const CORRELATION = ['None', 'Legacy', 'W3C'];
const OPERATION_NAME_FORMAT = ['Name', 'Url'];
/** APIM logs at most this many bytes of a request or response body. */
const MAX_BODY_BYTES = 8192;

function checkEnum(properties: Json, property: string, allowed: string[]): void {
  const value = properties[property];
  if (value !== undefined && value !== null && !allowed.includes(String(value))) throw invalidField(property, `'${String(value)}' is not a valid ${property}; expected one of ${allowed.join(', ')}.`);
}

function checkMessageSettings(properties: Json): void {
  for (const side of ['frontend', 'backend']) {
    for (const direction of ['request', 'response']) {
      const settings = (properties[side] as Json | undefined)?.[direction] as Json | undefined;
      const bytes = (settings?.body as Json | undefined)?.bytes;
      if (bytes !== undefined && (typeof bytes !== 'number' || !Number.isInteger(bytes) || bytes < 0 || bytes > MAX_BODY_BYTES)) {
        throw invalidField(`${side}.${direction}.body.bytes`, `'bytes' must be an integer from 0 to ${MAX_BODY_BYTES}.`);
      }
      if (settings?.headers !== undefined && !Array.isArray(settings.headers)) throw invalidField(`${side}.${direction}.headers`, "'headers' must be a list of header names.");
    }
  }
}

function prepareDiagnostic({ request, properties }: WriteInput): Prepared {
  // The logger must exist; the id is kept as written (relative or full), as Azure's create response shows it.
  resolveReference(request, 'loggerId', properties.loggerId, 'loggers/{loggerId}');
  for (const [property, allowed] of [['alwaysLog', ALWAYS_LOG], ['verbosity', VERBOSITY], ['httpCorrelationProtocol', CORRELATION], ['operationNameFormat', OPERATION_NAME_FORMAT]] as const) checkEnum(properties, property, allowed);
  const sampling = properties.sampling as Json | undefined;
  if (sampling) {
    checkEnum(sampling, 'samplingType', ['fixed']);
    const percentage = sampling.percentage;
    if (percentage !== undefined && (typeof percentage !== 'number' || percentage < 0 || percentage > 100)) throw invalidField('sampling.percentage', "'percentage' must be a number from 0 to 100.");
  }
  checkMessageSettings(properties);
  const stored: Json = { ...properties };
  delete stored.provisioningState;
  return { properties: stored };
}

export function loggerBehaviour(): Behaviour {
  return { prepare: prepareLogger };
}

export function diagnosticBehaviour(): Behaviour {
  return { prepare: prepareDiagnostic };
}
