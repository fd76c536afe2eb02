import type { SourcePos } from '../diagnostics';

/**
 * The parsed form of an APIM policy document (APIM's XML dialect). Values are decoded: entities are
 * resolved, policy expressions (`@(...)`, `@{...}`) are kept exactly as written. Every node keeps the
 * position where it starts in the source file (after template rendering, mapped back to the template).
 */
export interface PolicyAttribute {
  name: string;
  value: string;
  pos: SourcePos;
}

export interface PolicyElement {
  type: 'element';
  name: string;
  attributes: PolicyAttribute[];
  children: PolicyNode[];
  pos: SourcePos;
}

export interface PolicyText {
  type: 'text';
  value: string;
  pos: SourcePos;
}

export interface PolicyComment {
  type: 'comment';
  value: string;
  pos: SourcePos;
}

export interface PolicyCData {
  type: 'cdata';
  value: string;
  pos: SourcePos;
}

export type PolicyNode = PolicyElement | PolicyText | PolicyComment | PolicyCData;

export interface PolicyDocument {
  file: string;
  /** Comments before the root element (APIM keeps them). */
  prolog: PolicyComment[];
  /** `<policies>` for policies, `<fragment>` for policy fragments. */
  root: PolicyElement;
  /** Comments after the root element, when there are any. */
  epilog?: PolicyComment[];
}
