import type { SpecificationLink } from '../repo/model';

/** The API schema holding a GraphQL API's SDL: APIM's id and media type for it. */
export const GRAPHQL_SCHEMA = { id: 'graphql', contentType: 'application/vnd.ms-azure-apim.graphql.schema' } as const;

const LINK_FORMATS: Record<SpecificationLink['format'], string> = {
  openapi: 'openapi-link',
  'openapi+json': 'openapi+json-link',
  swagger: 'swagger-link-json',
  wsdl: 'wsdl-link',
  wadl: 'wadl-link-json',
  graphql: 'graphql-link',
};

/** APIM's import format for a specification link. */
export function linkFormat(format: SpecificationLink['format']): string {
  return LINK_FORMATS[format];
}

/** Whether an API body's import format is a link (the document is not in the repository). */
export function isLinkFormat(format: unknown): boolean {
  return typeof format === 'string' && Object.values(LINK_FORMATS).includes(format);
}
