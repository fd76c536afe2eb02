'use strict';
// Expression coverage on real-world policies: every @(...) / @{...} of the policy XML files in Microsoft's
// api-management-policy-snippets and Azure-Samples/AI-Gateway (public repositories; never committed here) is
// compiled and evaluated against a synthetic call (typical headers, a JSON body, variables the policy set earlier
// filled by running its own set-variable expressions in document order, guessed from their use where that fails).
// An expression "runs" unless the interpreter reports it unsupported or cannot parse it; .NET exceptions (a missing
// variable, a body that is not what the policy expects) count as running. Target: >= 90%.
// Corpus: APIOPS_EXPRESSION_CORPUS=dir1:dir2 (working trees or bare git mirrors); default: the fetch tool's mirrors.
const fs = require('fs');
const { policyFiles, policyExpressions } = require('./lib/expression-corpus');
const { table } = require('./lib/measure');
const {
  compileExpression,
  NameValues,
  jwtValue,
  responseValue,
  UnsupportedExpressionError,
  ExpressionSyntaxError,
  ExpressionRuntimeError,
} = require('../src/gateway/expressions/index.ts');

const TARGET = 0.9;
const DEFAULT_CORPUS = ['/work/.mirror/Azure+api-management-policy-snippets/repo', '/work/.mirror/Azure-Samples+AI-Gateway/repo'];
const sources = (process.env.APIOPS_EXPRESSION_CORPUS ? process.env.APIOPS_EXPRESSION_CORPUS.split(':') : DEFAULT_CORPUS).filter((dir) => fs.existsSync(dir));
if (!sources.length) {
  console.log('expression-coverage: corpus not found (set APIOPS_EXPRESSION_CORPUS); skipped');
  process.exit(0);
}

const base64url = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const TOKEN = `${base64url({ alg: 'RS256', typ: 'JWT', kid: 'k1' })}.${base64url({
  iss: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001/v2.0',
  aud: 'api://orders',
  sub: 'user-1',
  oid: '11111111-1111-1111-1111-111111111111',
  appid: '22222222-2222-2222-2222-222222222222',
  roles: ['Orders.Read'],
  scp: 'user_impersonation',
  exp: 1893456000,
  iat: 1767225600,
})}.c2ln`;

const BODY = JSON.stringify({
  model: 'gpt-4o',
  messages: [{ role: 'user', content: 'Hello' }],
  prompt: 'Hello',
  max_tokens: 100,
  stream: false,
  id: '42',
  name: 'order',
  items: [{ sku: 'A', qty: 1 }],
  usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 },
  choices: [{ message: { role: 'assistant', content: 'Hi' } }],
});

function url(path, query) {
  return { scheme: 'https', host: 'apim-contoso.azure-api.net', port: 443, path, query: new NameValues(query, false) };
}

function call() {
  const clock = new Date('2026-01-01T12:00:00Z');
  return {
    request: {
      method: 'POST',
      url: url('/orders/42', { 'api-version': '2024-02-01', param1: 'x' }),
      originalUrl: url('/orders/42', { 'api-version': '2024-02-01', param1: 'x' }),
      headers: new NameValues({
        'Content-Type': 'application/json',
        Accept: 'application/json',
        Authorization: `Bearer ${TOKEN}`,
        'Ocp-Apim-Subscription-Key': '0123456789abcdef0123456789abcdef',
        'User-Agent': 'curl/8.0',
        'X-Forwarded-For': '203.0.113.7',
        Host: 'apim-contoso.azure-api.net',
        Cookie: 'session=abc; sap-XSRF_ABC=token',
        Origin: 'https://contoso.com',
      }),
      body: { content: BODY, consumed: false },
      ipAddress: '203.0.113.7',
      matchedParameters: new Map([['id', '42']]),
    },
    response: { statusCode: 200, statusReason: 'OK', headers: new NameValues({ 'Content-Type': 'application/json' }), body: { content: BODY, consumed: false } },
    variables: new Map(),
    subscription: { id: 'sub-1', name: 'Developer', key: '0123456789abcdef0123456789abcdef', primaryKey: '0123456789abcdef0123456789abcdef', secondaryKey: 'fedcba9876543210fedcba9876543210' },
    product: { id: 'starter', name: 'Starter' },
    api: { id: 'orders', name: 'Orders', path: 'orders', serviceUrl: 'https://backend.contoso.com/api' },
    operation: { id: 'create-order', name: 'Create order', method: 'POST', urlTemplate: '/orders/{id}' },
    user: { id: 'user-1', email: 'dev@contoso.com', firstName: 'Dev', lastName: 'Eloper' },
    deployment: { region: 'West Europe', serviceName: 'apim-contoso', gatewayId: 'managed' },
    lastError: { source: 'validate-jwt', reason: 'TokenExpired', message: 'Lifetime validation failed.', scope: 'api', section: 'inbound', path: 'validate-jwt[1]', policyId: '' },
    requestId: '0f8fad5b-d9cb-469f-a165-70867728950e',
    timestamp: clock,
    now: () => clock,
  };
}

/** A stand-in for a variable whose own expression could not provide one, by how later expressions use it. */
function guess(name, allText) {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const cast = new RegExp(`\\((\\w+)\\)\\s*context\\.Variables\\s*\\[\\s*"${escaped}"\\s*\\]|GetValueOrDefault<(\\w+)>\\(\\s*"${escaped}"`).exec(allText);
  const type = cast?.[1] ?? cast?.[2] ?? 'string';
  const { JObject, JArray } = require('../src/gateway/expressions/runtime/json.ts');
  switch (type) {
    case 'bool':
      return true;
    case 'int':
    case 'long':
      return 1;
    case 'JObject':
      return new JObject();
    case 'JArray':
      return new JArray();
    case 'IResponse':
      return responseValue({ statusCode: 200, statusReason: 'OK', headers: new NameValues({ 'Content-Type': 'application/json' }), body: { content: BODY, consumed: false } });
    case 'Jwt':
      return jwtValue(TOKEN);
    default:
      return 'value';
  }
}

let total = 0;
let ran = 0;
let policies = 0;
const unsupported = new Map();
const invalid = [];
const runtime = new Map();
let evaluateMs = 0;
for (const source of sources) {
  for (const file of policyFiles(source)) {
    const { expressions, unparsed } = policyExpressions(file);
    if (unparsed) continue;
    policies++;
    const state = call();
    const allText = expressions.map((e) => e.text).join('\n');
    const assigned = new Set();
    for (const expression of expressions) {
      for (const name of expression.variables) {
        if (!state.variables.has(name) && !assigned.has(name)) state.variables.set(name, guess(name, allText));
      }
      total++;
      // Named values are resolved before expressions run; a number fits both where a string and where a number goes.
      const text = expression.text.replace(/\{\{[^}]*\}\}/g, '1');
      try {
        const compiled = compileExpression(text, expression.pos);
        const start = process.hrtime.bigint();
        let result;
        try {
          result = compiled.evaluate(state);
        } finally {
          evaluateMs += Number(process.hrtime.bigint() - start) / 1e6;
        }
        ran++;
        if (expression.setsVariable) {
          state.variables.set(expression.setsVariable, result);
          assigned.add(expression.setsVariable);
        }
      } catch (error) {
        if (error instanceof UnsupportedExpressionError) {
          const entry = unsupported.get(error.construct) ?? [];
          entry.push(`${expression.pos.file}:${expression.pos.line}`);
          unsupported.set(error.construct, entry);
        } else if (error instanceof ExpressionSyntaxError) invalid.push(`${error.message} <<${text.slice(0, 200)}>>`);
        else if (error instanceof ExpressionRuntimeError) {
          ran++;
          runtime.set(error.exceptionType, (runtime.get(error.exceptionType) ?? 0) + 1);
          if (process.env.BENCH_VERBOSE) invalid.push(`runtime ${error.exceptionType} at ${error.pos.file}:${error.pos.line}:${error.pos.column}: ${error.message} <<${text.slice(0, 300)}>>`);
        } else {
          invalid.push(`${expression.pos.file}:${expression.pos.line}: interpreter crash: ${error.stack}`);
        }
      }
    }
  }
}

const ratio = ran / total;
console.log(`policies: ${policies}, expressions: ${total}`);
console.log(table(['measure', 'value'], [
  ['run without "unsupported"', `${ran} of ${total} (${(ratio * 100).toFixed(1)}%)`],
  ['unsupported', String([...unsupported.values()].reduce((n, v) => n + v.length, 0))],
  ['not valid C# (APIM refuses them too)', String(invalid.length)],
  ['.NET exceptions at run time (count as running)', [...runtime].map(([k, v]) => `${k} ${v}`).join(', ') || '0'],
  ['target', `>= ${TARGET * 100}%`],
  ['evaluation time, all expressions', `${evaluateMs.toFixed(1)} ms`],
]));
const top = [...unsupported].sort((a, b) => b[1].length - a[1].length).slice(0, 15);
if (top.length) console.log('\n' + table(['unsupported construct', 'expressions', 'first seen'], top.map(([construct, where]) => [construct, String(where.length), where[0]])));
if (invalid.length && process.env.BENCH_VERBOSE) console.log('\n' + invalid.join('\n'));
if (ratio < TARGET) {
  console.log(`\nexpression coverage ${(ratio * 100).toFixed(1)}% is below the ${TARGET * 100}% target`);
  process.exit(1);
}
