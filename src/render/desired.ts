import type { EnvironmentConfig, RepoModel, TemplateSource } from '../repo/model';
import type { Finding, SourcePos } from '../diagnostics';
import type { PolicyDocument } from '../policy/ast';
import type { ResourceRef } from '../resources/types';
import type { KnownSecret } from '../known-secrets';

/**
 * Stage 2: the rendered desired state for one environment — exactly what publish would send.
 * One entry per managed resource, keyed by ResourceRef.
 */
export interface DesiredResource {
  ref: ResourceRef;
  /**
   * The ARM `properties` body publish sends. Policy kinds: `{ format: 'rawxml', value }` with the rendered
   * text. Named values holding a secret carry `secret: true`; their `value` must never be printed or written.
   */
  properties: Record<string, unknown>;
  /** Where in the repository it is defined. */
  source: SourcePos;
  /** Parsed rendered policy (policy kinds only). */
  policy?: PolicyDocument;
  /**
   * A secret named value whose value is not available locally (its env var unset): "not managed here" —
   * diff does not report it, publish keeps the live value.
   */
  valueUnavailable?: boolean;
}

export interface DesiredState {
  environment: string;
  resources: DesiredResource[];
}

/** A rendered policy file (policy kinds and fragments), parsed when it parses. */
export interface RenderedPolicy {
  ref: ResourceRef;
  source: TemplateSource;
  /** Rendered text, as publish sends it (rawxml). */
  text: string;
  document?: PolicyDocument;
}

/** Everything validate, lint, render and plan need for one environment. */
export interface RenderedRepository {
  model: RepoModel;
  environment: EnvironmentConfig;
  desired: DesiredState;
  policies: RenderedPolicy[];
  /** The secret values known to this run: never printed (see ../known-secrets.ts), and an inline-secret finding where a policy spells one out. */
  secrets: KnownSecret[];
  /** schema / template / xml-syntax findings met while loading and rendering. */
  findings: Finding[];
}
