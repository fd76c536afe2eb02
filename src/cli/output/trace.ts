/**
 * The compact trace for a terminal (`apiops gateway --trace`, `apiops trace`, a failed `apiops test` case): one line per
 * policy with its template file:line:column, beneath it the values it used and changed. It is made from the trace
 * document as the gateway shows it (docs/trace.md), so it is masked as that is.
 */
import type { TraceDocument, TraceStep } from '../../gateway';
import type { TraceValue } from '../../gateway/trace';
import { ANSI, painter, type Paint } from './ansi';

const MAX_VALUE = 160;
const SECTIONS = ['inbound', 'backend', 'outbound', 'on-error'] as const;

const MARKS: Record<TraceStep['outcome'], { mark: string; color: string }> = {
  ran: { mark: '✓', color: ANSI.green },
  skipped: { mark: '-', color: ANSI.dim },
  failed: { mark: '✗', color: ANSI.red },
  ended: { mark: '⏎', color: ANSI.yellow },
  'cache-hit': { mark: '⏎', color: ANSI.yellow },
  unsupported: { mark: '!', color: ANSI.yellow },
  invalid: { mark: '!', color: ANSI.red },
};

/** The trace as lines of text, each starting with `indent`, ending with a newline. */
export function formatTrace(trace: TraceDocument, options: { color: boolean; indent?: string }): string {
  const paint = painter(options.color);
  const indent = options.indent ?? '';
  const lines = [`${indent}${headline(trace, paint)}`];
  for (const section of SECTIONS) {
    const steps = trace.sections[section];
    if (!steps.length) continue;
    lines.push(`${indent}${paint(ANSI.bold, section)}`);
    const said = { skippedBecause: '' };
    for (const step of steps) stepLines(step, `${indent}  `, paint, lines, said);
  }
  if (trace.stoppedBy) {
    const { kind, message, file, line, column } = trace.stoppedBy;
    lines.push(`${indent}stopped (${kind}): ${message}${file ? `  ${paint(ANSI.dim, `${file}:${line}:${column}`)}` : ''}`);
  }
  if (trace.lastError) {
    const { source, reason, message, section, path } = trace.lastError;
    lines.push(`${indent}context.LastError: ${source}${reason ? ` ${reason}` : ''}: ${message}  ${paint(ANSI.dim, `${section} ${path}`)}`);
  }
  if (trace.placeholders) lines.push(`${indent}named values without a value offline: ${trace.placeholders.join(', ')}`);
  for (const message of trace.messages ?? []) lines.push(`${indent}trace: ${clip(message)}`);
  return `${lines.join('\n')}\n`;
}

function headline(trace: TraceDocument, paint: Paint): string {
  const matched = [
    trace.api && `api ${trace.api.id}`,
    trace.operation && `operation ${trace.operation.id}`,
    trace.product && `product ${trace.product.id}`,
    trace.subscription && `subscription ${trace.subscription.id}`,
  ].filter(Boolean);
  const status = trace.response.status;
  const statusText = paint(status >= 500 ? ANSI.red : status >= 400 ? ANSI.yellow : ANSI.green, String(status));
  return `${paint(ANSI.bold, `${trace.request.method} ${trace.request.url}`)} → ${statusText}${matched.length ? `  ${matched.join(', ')}` : ''}  ${paint(ANSI.dim, `${trace.durationMs} ms, request ${trace.requestId}`)}`;
}

/** `said`: what the lines before told already (a run of skipped policies gives its reason once). */
function stepLines(step: TraceStep, indent: string, paint: Paint, lines: string[], said: { skippedBecause: string }): void {
  const { mark, color } = MARKS[step.outcome];
  const where = paint(ANSI.dim, `${step.file}:${step.line}:${step.column}`);
  const scope = paint(ANSI.dim, step.fragment ? `${step.scope}, fragment ${step.fragment}` : step.scope);
  const name = `${step.policy}${step.policyId ? ` id=${step.policyId}` : ''}`;
  const because = step.skippedBecause ?? '';
  const outcome = step.outcome === 'ran' ? '' : `  ${paint(color, step.outcome !== 'skipped' ? step.outcome : because && because !== said.skippedBecause ? `skipped: ${because}` : 'skipped')}`;
  said.skippedBecause = step.outcome === 'skipped' ? because : '';
  lines.push(`${indent}${paint(color, mark)} ${name}  ${where}  ${scope}${outcome}`);
  const inner = `${indent}    `;
  for (const expression of step.expressions ?? []) {
    const at = expression.file === step.file ? `${expression.line}:${expression.column}` : `${expression.file}:${expression.line}:${expression.column}`;
    lines.push(`${inner}@(…) ${paint(ANSI.dim, `at ${at}`)} = ${shown(expression.value)}`);
  }
  for (const [name, value] of Object.entries(step.details ?? {})) lines.push(`${inner}${detail(step, name, value)}`);
  for (const [name, value] of Object.entries(step.variables ?? {})) lines.push(`${inner}variable ${name} = ${isJwt(value) ? 'Jwt' : shown(value)}`);
  for (const change of step.headers ?? []) {
    lines.push(`${inner}${change.message} header ${change.name} ${change.action === 'removed' ? 'removed' : `= ${clip(change.value ?? '')}`}`);
  }
  if (step.url) lines.push(`${inner}url ${step.url.from} → ${step.url.to}`);
  if (step.status !== undefined) lines.push(`${inner}status ${step.status}`);
  if (step.error) lines.push(`${inner}${paint(ANSI.red, `error${step.error.reason ? ` ${step.error.reason}` : ''}: ${clip(step.error.message)}`)}`);
  for (const child of step.steps ?? []) stepLines(child, `${indent}  `, paint, lines, said);
}

type Fields = Record<string, TraceValue>;

/** What a policy knew, in words: the documented details first (docs/trace.md), anything else as data. */
function detail(step: TraceStep, name: string, value: TraceValue): string {
  const fields = (value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {}) as Fields;
  switch (name) {
    case 'claims':
      return `claims: ${Object.entries(fields).map(([claim, v]) => `${claim}=${shown(v)}`).join(', ')}`;
    case 'counter': {
      const counted = typeof fields.counted === 'string' ? `, counted ${fields.counted}` : '';
      return `counter${keyOf(step, fields)}: ${fields.used} of ${fields.calls} calls per ${fields.renewalPeriod} s used before this one, ${fields.remaining} remaining${counted}`;
    }
    case 'quota': {
      const limits = [fields.calls !== undefined && `${fields.calls} calls`, fields.bandwidth !== undefined && `${fields.bandwidth} KB`].filter(Boolean).join(', ');
      return `quota${keyOf(step, fields)}: ${fields.usedCalls} calls and ${Math.round(Number(fields.usedKilobytes) * 100) / 100} KB used of ${limits} per ${fields.renewalPeriod} s`;
    }
    case 'backend':
      return fields.id !== undefined ? `backend ${fields.id}: ${fields.url}` : `to the backend: ${fields.method} ${fields.url}${fields.timeoutMs !== undefined ? ` (timeout ${fields.timeoutMs} ms)` : ''}`;
    case 'managedIdentityToken':
      return `managed-identity token requested for ${fields.resource}${fields.clientId ? ` (client id ${fields.clientId})` : ''}, into ${fields.variable !== undefined ? `variable ${fields.variable}` : `header ${fields.header}`}`;
    case 'request':
      return `sends ${fields.method} ${fields.url}`;
    default:
      return `${name}: ${shown(value)}`;
  }
}

/** A counter's key when the policy says it (`-by-key`); else it is the gateway's own, which tells a reader nothing. */
function keyOf(step: TraceStep, fields: Fields): string {
  return step.policy.endsWith('-by-key') && fields.key !== undefined && fields.key !== null ? ` ${shown(fields.key)}` : '';
}

/** A Jwt variable's claims are shown by the policy that validated it. */
function isJwt(value: TraceValue): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && value.type === 'Jwt';
}

function shown(value: TraceValue): string {
  return clip(JSON.stringify(value));
}

function clip(text: string): string {
  const line = text.replace(/\s*\n\s*/g, ' ');
  return line.length > MAX_VALUE ? `${line.slice(0, MAX_VALUE - 1)}…` : line;
}
