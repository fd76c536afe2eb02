/**
 * The policy pipeline of one call (fact sheet §3): inbound → backend → outbound of the effective policy; on a
 * failure the rest is skipped, context.LastError is set and on-error runs; return-response and mock-response end it;
 * a cache hit resumes outbound after cache-store. Programs are compiled once per (product, API, operation policy).
 */
import { policyTemplates, type PolicyChain } from '../effective';
import type { RenderedRepository } from '../render/desired';
import type { PolicyElement, PolicyNode } from '../policy/ast';
import type { Section } from '../policy/knowledge/types';
import type { Call, CallTarget, Scope } from './call';
import { Compiler, runStatements, type Statement } from './compiler';
import { CacheHit, EndPipeline, PolicyConfigurationError, PolicyFailure, UnsupportedError } from './errors';
import { NameValues } from './expressions';
import { POLICY_MODULES } from './policies';
import type { GatewayServices } from './services';
import type { TraceRecorder } from './trace';

export interface Program {
  inbound: Statement[];
  backend: Statement[];
  outbound: Statement[];
  onError: Statement[];
  /** Where outbound resumes after a cache hit: just after the top-level cache-store (none: outbound is skipped). */
  resumeAfterCacheHit: number;
  /** A policy file on the way that did not render or parse: no call through it can run. */
  broken?: PolicyConfigurationError;
}

const LEVEL_SCOPES: Record<string, Scope | undefined> = { globalPolicy: 'global', productPolicy: 'product', apiPolicy: 'api', operationPolicy: 'operation' };

/** APIM's default global policy forwards every call: a repository without policies/global.xml keeps it. */
const DEFAULT_FORWARD: PolicyElement = {
  type: 'element',
  name: 'forward-request',
  attributes: [],
  children: [],
  pos: { file: '(APIM default global policy)', line: 1, column: 1 },
};

export class Programs {
  private readonly compiler: Compiler;
  private readonly cache = new Map<string, Program>();

  constructor(private readonly services: GatewayServices) {
    const scopes = new Map<string, Scope>();
    for (const policy of services.repository.rendered.policies) {
      const scope = LEVEL_SCOPES[policy.ref.kind];
      if (scope) scopes.set(policy.source.file, scope);
    }
    this.compiler = new Compiler(services, POLICY_MODULES, (file) => scopes.get(file));
  }

  of(target: CallTarget): Program {
    const { effective, rendered } = this.services.repository;
    const apiId = target.api.id;
    const productId = target.product?.id;
    const unparsed = effective.unparsedOnTheWay({ apiId, productId, operationId: target.operation.id });
    const ownPolicy = unparsed.length > 0 || effective.policyFile('operation', apiId, target.operation.id) !== undefined;
    const operationId = ownPolicy ? target.operation.id : undefined;
    const key = `${productId ?? ''}|${apiId}|${operationId ?? ''}`;
    let program = this.cache.get(key);
    if (!program) {
      program = unparsed.length ? brokenProgram(brokenPolicy(rendered, unparsed)) : this.compile(apiId, productId, operationId);
      this.cache.set(key, program);
    }
    return program;
  }

  private compile(apiId: string, productId: string | undefined, operationId: string | undefined): Program {
    const unit = this.services.repository.effective.unit(apiId, productId, operationId);
    const sections = (section: Section): readonly PolicyNode[] => unit.section(section);
    const backendNodes = sections('backend');
    const withDefault = !unit.chain.global && !backendNodes.length && defaultBackendInherited(unit.chain) ? [DEFAULT_FORWARD] : backendNodes;
    const compile = (nodes: readonly PolicyNode[], section: Section) => this.compiler.statements(nodes, section, undefined);
    const outbound = compile(sections('outbound'), 'outbound');
    const cacheStore = outbound.findIndex((s) => s.site.name === 'cache-store');
    return {
      inbound: compile(sections('inbound'), 'inbound'),
      backend: compile(withDefault, 'backend'),
      outbound,
      onError: compile(sections('on-error'), 'on-error'),
      resumeAfterCacheHit: cacheStore < 0 ? outbound.length : cacheStore + 1,
    };
  }
}

function brokenProgram(broken: PolicyConfigurationError): Program {
  return { inbound: [], backend: [], outbound: [], onError: [], resumeAfterCacheHit: 0, broken };
}

/**
 * A policy file on the way that did not render or parse: APIM would have refused to save it, so every call through it
 * answers 500 naming the file and, from the finding validate reports, the place and the problem.
 */
function brokenPolicy(rendered: RenderedRepository, unparsedKeys: readonly string[]): PolicyConfigurationError {
  const templates = new Map(policyTemplates(rendered.model).map((t) => [t.key, t.source.file]));
  const files = unparsedKeys.map((key) => templates.get(key)).filter((file): file is string => file !== undefined);
  const errorIn = (file: string) => rendered.findings.find((f) => f.severity === 'error' && f.file === file);
  const finding = files.map(errorIn).find((f) => f !== undefined);
  if (!finding) return new PolicyConfigurationError('this policy file did not render or parse (run apiops validate)', { file: files[0] ?? 'policies/global.xml', line: 1, column: 1 });
  return new PolicyConfigurationError(`this policy file did not render or parse: ${finding.message}`, finding);
}

/** Whether every document on the way leaves the backend to its parent (no backend section, or one with <base />). */
function defaultBackendInherited(chain: PolicyChain): boolean {
  return [chain.product, chain.api, chain.operation].every((file) => {
    if (!file) return true;
    const backend = file.document.root.children.find((c): c is PolicyElement => c.type === 'element' && c.name === 'backend');
    return !backend || backend.children.some((c) => c.type === 'element' && c.name === 'base');
  });
}

/** Runs the call's pipeline; UnsupportedError and PolicyConfigurationError escape to the server (HTTP 500). */
export async function execute(call: Call, program: Program): Promise<void> {
  if (program.broken) throw program.broken;
  try {
    await runSections(call, program);
  } finally {
    if (call.recorder) skipUnreached(call.recorder, program, call.preflight);
  }
}

/** In a trace, the policies of a section the call never reached are listed as skipped. */
function skipUnreached(recorder: TraceRecorder, program: Program, preflight: boolean): void {
  const because = preflight ? 'a CORS preflight runs only cors' : recorder.stoppedBy ? `the pipeline stopped: ${recorder.stoppedBy.message}` : 'not reached';
  for (const section of ['inbound', 'backend', 'outbound'] as const) {
    if (!recorder.sections[section].length) recorder.skip(program[section].map((s) => s.site), because);
  }
}

async function runSections(call: Call, program: Program): Promise<void> {
  try {
    if (call.preflight) {
      await runStatements(program.inbound.filter((s) => s.site.name === 'cors'), call);
      return;
    }
    try {
      await runStatements(program.inbound, call);
    } catch (error) {
      if (!(error instanceof CacheHit)) throw error;
      call.recorder?.skip(program.outbound.slice(0, program.resumeAfterCacheHit).map((s) => s.site), 'a cache hit resumes outbound after cache-store');
      await runStatements(program.outbound.slice(program.resumeAfterCacheHit), call);
      return;
    }
    await runStatements(program.backend, call);
    await runStatements(program.outbound, call);
  } catch (error) {
    if (error instanceof EndPipeline) return;
    if (error instanceof PolicyFailure) return onError(call, program, error);
    throw error;
  }
}

async function onError(call: Call, program: Program, failure: PolicyFailure): Promise<void> {
  const site = failure.site;
  const { status, reason, headers, message } = failure.response;
  const responseHeaders = new NameValues(Object.entries(headers ?? {}));
  if (message !== undefined) responseHeaders.set('Content-Type', ['application/json']);
  const body = message === undefined ? undefined : JSON.stringify({ statusCode: status, message, ...(status >= 500 ? { activityId: call.requestId } : {}) });
  call.response = { statusCode: status, statusReason: reason, headers: responseHeaders, body: body === undefined ? undefined : { content: body, consumed: false } };
  call.lastError = {
    source: failure.source || site?.name || '',
    reason: failure.reason,
    message: failure.message,
    scope: site?.scope ?? '',
    section: site?.section ?? '',
    path: site?.path ?? '',
    policyId: site?.policyId ?? '',
  };
  call.building.length = 0;
  try {
    await runStatements(program.onError, call);
  } catch (error) {
    if (error instanceof EndPipeline) return;
    if (error instanceof UnsupportedError || error instanceof PolicyConfigurationError) throw error;
    // An error inside on-error: APIM answers its generic 500.
    const generic = JSON.stringify({ statusCode: 500, message: 'Internal server error', activityId: call.requestId });
    call.response = { statusCode: 500, statusReason: 'Internal Server Error', headers: new NameValues([['Content-Type', 'application/json']]), body: { content: generic, consumed: false } };
  }
}
