import type { OperationDefinition } from '../repo/model';
import type { Properties } from './source-folder';

/**
 * The other tools name an operation's folder by its APIM operation name; the repository names operations by the
 * specification's operationId. An APIM export writes the operation name as the operationId, so the name is usually
 * the operationId (APIM ids are case-insensitive); where it is not, apiops-cli's operationInformation.json says the
 * operation's method and URL template, which identify it in the specification.
 */
export function operationIdOf(name: string, operations: OperationDefinition[], information?: Properties): string | undefined {
  const exact = operations.find((operation) => operation.id === name);
  if (exact) return exact.id;
  const folded = operations.filter((operation) => operation.id.toLowerCase() === name.toLowerCase());
  if (folded.length === 1) return folded[0].id;
  if (!information || typeof information.method !== 'string' || typeof information.urlTemplate !== 'string') return undefined;
  const method = information.method.toUpperCase();
  const template = normalisedTemplate(information.urlTemplate);
  const matching = operations.filter((operation) => operation.method.toUpperCase() === method && normalisedTemplate(operation.urlTemplate) === template);
  return matching.length === 1 ? matching[0].id : undefined;
}

/** Parameter names do not identify an operation (`/items/{id}` and `/items/{itemId}` are one template). */
function normalisedTemplate(template: string): string {
  return template.replace(/\{[^}]*\}/g, '{}').replace(/\/+$/, '').toLowerCase();
}
