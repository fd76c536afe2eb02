/** Shapes of the policy knowledge base: what APIM accepts, per policy element. */

export type Section = 'inbound' | 'backend' | 'outbound' | 'on-error';
export const SECTIONS: readonly Section[] = ['inbound', 'backend', 'outbound', 'on-error'];

/**
 * Where a policy document lives. `resolver` is a GraphQL resolver document (apiops does not manage resolvers, so a
 * resolver-only policy in any repository file is misplaced). Fragments take the scope of the policy including them.
 */
export type Scope = 'global' | 'workspace' | 'product' | 'api' | 'operation' | 'resolver';

export interface AttributeSpec {
  name: string;
  required?: boolean;
  /** `integer`/`boolean` values are checked when they are literals (policy expressions are checked by APIM at run time). */
  type?: 'integer' | 'boolean' | 'string';
  min?: number;
  max?: number;
  /** Allowed literal values (case-sensitive, as APIM compares them, unless `ignoreCase`). */
  values?: readonly string[];
  /** `values` match in any letter case: only where the reference says so or writes the value in several cases. */
  ignoreCase?: boolean;
  /**
   * Literal values that are keywords of the policy, not references to an entity the repository defines
   * (`set-backend-service backend-id="dapr"` calls the Dapr sidecar, not a backend): reference checks skip them.
   */
  keywords?: readonly string[];
}

/** A child element that is not itself a policy (e.g. `<value>` of set-header, `<openid-config>` of validate-jwt). */
export interface ElementSpec {
  name: string;
  /** As a child element: the parent needs at least one (the reference's "Elements" table says Required: Yes). */
  required?: boolean;
  attributes: readonly AttributeSpec[];
  /** Groups of attributes of which exactly one must be present. */
  oneOf?: ReadonlyArray<readonly string[]>;
  /** Groups of attributes of which at least one must be present. */
  anyOf?: ReadonlyArray<readonly string[]>;
  /** Groups of attributes of which at most one may be present. */
  exclusive?: ReadonlyArray<readonly string[]>;
  /** Groups of attributes that are used all together or not at all (token-quota needs token-quota-period). */
  together?: ReadonlyArray<readonly string[]>;
  /**
   * `policies`: policy statements (choose/when, retry, wait…); `text`: a value or expression; `any`: free-form content
   * apiops does not check (XSLT stylesheets, cross-domain documents); a list: those child elements only.
   */
  children: 'none' | 'text' | 'policies' | 'any' | readonly ElementSpec[];
}

export interface PolicySpec extends ElementSpec {
  sections: readonly Section[];
  scopes: readonly Scope[];
  /** Reference page (under https://learn.microsoft.com/azure/api-management/). */
  doc: string;
  /** "This policy can be used only once per policy definition" (its reference page's usage notes). */
  once?: boolean;
}
