/**
 * Turns the effective policy of a call (EffectivePolicies, nodes with their source positions) into statements the
 * pipeline runs. Each policy element is compiled by its module in policies/; what a module does not know (an
 * element, an attribute, a child) compiles into a statement that fails with "unsupported" when a call reaches it,
 * so nothing is silently skipped and an unused branch does not stop the gateway.
 */
import { formatPos, type SourcePos } from '../diagnostics';
import type { PolicyElement, PolicyNode } from '../policy/ast';
import { policySpec } from '../policy/knowledge/policies';
import type { Section } from '../policy/knowledge/types';
import { attributeValue } from '../policy/query';
import type { Call, Scope, StatementSite } from './call';
import { CacheHit, EndPipeline, PolicyConfigurationError, PolicyFailure, UnsupportedError } from './errors';
import type { GatewayServices } from './services';
import { stopReasonOf, type TraceRecorder } from './trace';
import { ValueCompiler, type Value } from './values';

export type Run = (call: Call) => void | Promise<void>;

export interface Statement {
  site: StatementSite;
  run: Run;
}

export type PolicyModule = (element: ElementReader, compiler: Compiler) => Run;

/** Reads one policy element for its module; afterwards, what the module did not read is unsupported. */
export class ElementReader {
  private readonly readAttributes = new Set<string>(['id']);
  private readonly readChildren = new Set<string>();
  private readText = false;

  constructor(
    readonly element: PolicyElement,
    readonly site: StatementSite,
    private readonly values: ValueCompiler,
    /** Placeholders of every value the element and its child elements hold (not its child statements). */
    readonly placeholders = new Set<string>(),
  ) {}

  private compiled(raw: string, pos: SourcePos): Value {
    const value = this.values.compile(raw, pos);
    for (const name of value.placeholders) this.placeholders.add(name);
    return value;
  }

  get name(): string {
    return this.element.name;
  }

  get pos(): SourcePos {
    return this.element.pos;
  }

  has(name: string): boolean {
    this.readAttributes.add(name);
    return this.element.attributes.some((a) => a.name === name);
  }

  /** An attribute as a value (literal or expression), undefined when absent. */
  value(name: string): Value | undefined {
    this.readAttributes.add(name);
    const attribute = this.element.attributes.find((a) => a.name === name);
    return attribute && this.compiled(attribute.value, attribute.pos);
  }

  required(name: string): Value {
    const value = this.value(name);
    if (!value) throw new PolicyConfigurationError(`<${this.name}> needs the ${name} attribute`, this.pos);
    return value;
  }

  /** An attribute APIM takes only literally (no policy expression), named values replaced. */
  literal(name: string): string | undefined {
    const value = this.value(name);
    if (!value) return undefined;
    if (value.literal === undefined) throw new PolicyConfigurationError(`${name} of <${this.name}> does not accept a policy expression`, value.pos);
    return value.literal;
  }

  requiredLiteral(name: string): string {
    const value = this.literal(name);
    if (value === undefined) throw new PolicyConfigurationError(`<${this.name}> needs the ${name} attribute`, this.pos);
    return value;
  }

  /** Child elements by name; statements inside one have it in their LastError path (`choose[1]/when[2]/…`). */
  children(name: string): ElementReader[] {
    this.readChildren.add(name);
    const elements = this.element.children.filter((c): c is PolicyElement => c.type === 'element');
    return elements
      .map((child, i) => ({ child, i }))
      .filter(({ child }) => child.name === name)
      .map(({ child, i }) => new ElementReader(child, { ...this.site, path: `${this.site.path}/${name}[${i + 1}]` }, this.values, this.placeholders));
  }

  child(name: string): ElementReader | undefined {
    return this.children(name)[0];
  }

  /** The element's text content (named values replaced) as a value. */
  text(): Value {
    this.readText = true;
    let text = '';
    let pos = this.pos;
    let first = true;
    for (const child of this.element.children) {
      if (child.type !== 'text' && child.type !== 'cdata') continue;
      if (first) pos = child.pos;
      first = false;
      text += child.value;
    }
    return this.compiled(text, pos);
  }

  /** The raw text content, for bodies APIM does not treat as a value (Liquid templates). */
  rawText(): { text: string; pos: SourcePos } {
    this.readText = true;
    const texts = this.element.children.filter((c) => c.type === 'text' || c.type === 'cdata');
    return { text: texts.map((c) => (c as { value: string }).value).join(''), pos: texts[0]?.pos ?? this.pos };
  }

  /**
   * The child elements that are policy statements (choose/when, retry, limit-concurrency…), compiled. Those of
   * send-request and return-response build the message (`messageParts`): they are the policy's own elements, allowed
   * wherever it is (authentication-managed-identity in an outbound send-request).
   */
  statements(compiler: Compiler, options: { messageParts?: boolean } = {}): Statement[] {
    this.readChildren.add('*');
    return compiler.statements(this.element.children, this.site.section, this.site.scope, `${this.site.path}/`, !options.messageParts);
  }

  /** Throws for the first attribute or child element the module did not read. */
  finish(): void {
    for (const attribute of this.element.attributes) {
      if (!this.readAttributes.has(attribute.name)) throw new UnsupportedError(`attribute ${attribute.name} of <${this.name}>`, attribute.pos);
    }
    if (this.readChildren.has('*')) return;
    for (const child of this.element.children) {
      if (child.type === 'element' && !this.readChildren.has(child.name)) throw new UnsupportedError(`<${child.name}> in <${this.name}>`, child.pos);
      if (!this.readText && (child.type === 'text' || child.type === 'cdata') && child.value.trim()) {
        throw new UnsupportedError(`text in <${this.name}>`, child.pos);
      }
    }
  }
}

export class Compiler {
  readonly values: ValueCompiler;

  constructor(
    readonly services: GatewayServices,
    private readonly modules: Readonly<Record<string, PolicyModule>>,
    private readonly scopeOfFile: (file: string) => Scope | undefined,
  ) {
    this.values = new ValueCompiler(services.repository.namedValues);
  }

  /**
   * Compiles statement nodes. Top-level nodes from a fragment take the scope of the statement before them (the
   * document that included the fragment), else of the one after.
   */
  statements(nodes: readonly PolicyNode[], section: Section, scope: Scope | undefined, pathPrefix = '', checkPlacement = true): Statement[] {
    const elements = nodes.filter((n): n is PolicyElement => n.type === 'element');
    const scopes = elements.map((e) => this.scopeOfFile(e.pos.file));
    return elements.map((element, i) => {
      const own = scopes[i] ?? scope ?? scopes.slice(0, i).reverse().find(Boolean) ?? scopes.slice(i + 1).find(Boolean) ?? 'global';
      return this.statement(element, section, own, `${pathPrefix}${element.name}[${i + 1}]`, checkPlacement);
    });
  }

  private statement(element: PolicyElement, section: Section, scope: Scope, path: string, checkPlacement: boolean): Statement {
    const site: StatementSite = { name: element.name, pos: element.pos, scope, section, path, policyId: attributeValue(element, 'id') ?? '' };
    const module = this.modules[element.name];
    let run: Run;
    try {
      if (checkPlacement) refuseMisplaced(element, section, scope);
      if (!module) throw new UnsupportedError(`policy <${element.name}>`, element.pos);
      const reader = new ElementReader(element, site, this.values);
      run = markingPlaceholders(module(reader, this), [...reader.placeholders]);
      reader.finish();
    } catch (error) {
      run = () => {
        throw error;
      };
    }
    return { site, run };
  }
}

/**
 * APIM refuses to save a policy in a section or at a scope its reference does not allow (forward-request outside
 * backend, validate-jwt outside inbound, quota outside product scope): the same policy knowledge lint's
 * policy-placement rule checks.
 */
function refuseMisplaced(element: PolicyElement, section: Section, scope: Scope): void {
  const spec = policySpec(element.name);
  if (!spec) return;
  if (!spec.sections.includes(section)) {
    throw new PolicyConfigurationError(`<${element.name}> is not allowed in the ${section} section (allowed in: ${spec.sections.join(', ') || 'GraphQL resolvers only'})`, element.pos);
  }
  if (!spec.scopes.includes(scope)) {
    throw new PolicyConfigurationError(`<${element.name}> is not allowed at ${scope} scope (allowed at: ${spec.scopes.join(', ')})`, element.pos);
  }
}

/**
 * A statement that reads a named value without a value offline names it on the response once it runs (a statement
 * never reached, such as one in a branch not taken, does not).
 */
function markingPlaceholders(run: Run, placeholders: readonly string[]): Run {
  if (!placeholders.length) return run;
  return (call) => {
    for (const name of placeholders) call.placeholders.add(name);
    return run(call);
  };
}

/** Runs statements in order; a failure is stamped with the innermost statement it came from. */
export async function runStatements(statements: readonly Statement[], call: Call): Promise<void> {
  if (call.recorder) return runTraced(statements, call, call.recorder);
  for (const statement of statements) {
    try {
      const pending = statement.run(call);
      if (pending) await pending;
    } catch (error) {
      throw stamped(error, statement);
    }
  }
}

/** runStatements recording each statement in the call's trace; the ones after a statement that stopped are skipped. */
async function runTraced(statements: readonly Statement[], call: Call, recorder: TraceRecorder): Promise<void> {
  // Nothing runs between two statements of a list: one's state after is the next one's before.
  let after: ReturnType<TraceRecorder['snapshot']> | undefined;
  for (let i = 0; i < statements.length; i++) {
    const statement = statements[i];
    const before = after ?? recorder.snapshot(call);
    const step = recorder.begin(statement.site);
    try {
      const pending = statement.run(call);
      if (pending) await pending;
      after = recorder.end(step, call, before);
    } catch (error) {
      const thrown = stamped(error, statement);
      recorder.end(step, call, before, thrown);
      recorder.stop(stopReasonOf(thrown, statement.site));
      recorder.skip(statements.slice(i + 1).map((s) => s.site), `<${statement.site.name}> at ${formatPos(statement.site.pos)} ${stopVerb(thrown)}`);
      throw thrown;
    }
  }
}

function stamped(error: unknown, statement: Statement): unknown {
  if (error instanceof PolicyFailure && !error.site) error.site = statement.site;
  if (!(error instanceof EndPipeline || error instanceof CacheHit || error instanceof PolicyFailure || error instanceof UnsupportedError || error instanceof PolicyConfigurationError)) {
    return new PolicyConfigurationError(`the gateway failed running <${statement.site.name}>: ${error instanceof Error ? error.message : String(error)}`, statement.site.pos);
  }
  return error;
}

function stopVerb(error: unknown): string {
  if (error instanceof EndPipeline) return 'ended the pipeline';
  if (error instanceof CacheHit) return 'found the response in the cache';
  return 'failed';
}
