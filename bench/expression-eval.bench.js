'use strict';
// Policy-expression evaluation cost: the expressions of the sample repository's policies (header checks, JWT
// claims, an HMAC over the response body, …), compiled once and evaluated against one call, against a floor of
// hand-written JavaScript doing the same work on the same call state, measured in the same run. The gateway's
// target is 1,000 requests/s on this machine, i.e. 1 ms per request for everything; the expressions of one request
// through the sample must take well under a tenth of that. Target: the whole set evaluates in < 100 µs.
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { measure, table } = require('./lib/measure');
const { policyExpressions } = require('./lib/expression-corpus');
const { compileExpression, NameValues, jwtValue } = require('../src/gateway/expressions/index.ts');

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const TARGET_US = 100;

const base64url = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const body = JSON.stringify({ orderId: 'o-1', items: [{ sku: 'A', qty: 2 }], total: 19.5 });

function call() {
  const url = { scheme: 'https', host: 'localhost', port: 443, path: '/orders', query: new NameValues({ genre: 'jazz' }, false) };
  const state = {
    request: {
      method: 'POST',
      url,
      originalUrl: url,
      headers: new NameValues({ 'Idempotency-Key': 'k-123', 'X-Fabrikam-Signature': 'sha256=' + 'a'.repeat(64), 'Content-Type': 'application/json' }),
      body: { content: body, consumed: false },
      ipAddress: '127.0.0.1',
      matchedParameters: new Map(),
    },
    response: { statusCode: 201, statusReason: 'Created', headers: new NameValues({ 'Content-Type': 'application/json' }), body: { content: body, consumed: false } },
    variables: new Map([['partnerJwt', jwtValue(`${base64url({ alg: 'RS256' })}.${base64url({ oid: 'p-1', iss: 'x' })}.c2ln`)]]),
    subscription: { id: 'sub-1', name: 'dev', key: 'k', primaryKey: 'k', secondaryKey: 'k2' },
    api: { id: 'media-orders', name: 'Orders', path: 'orders' },
    operation: { id: 'createOrder', name: 'Create order', method: 'POST', urlTemplate: '/orders' },
    deployment: { region: 'West Europe', serviceName: 'apim', gatewayId: 'managed' },
    requestId: '0f8fad5b-d9cb-469f-a165-70867728950e',
    timestamp: new Date(0),
    now: () => new Date(1000),
  };
  return state;
}

// The sample's expressions, as the repository holds them (named values resolved to a stand-in).
const root = path.join(__dirname, '..');
const files = ['policies/global.xml', 'products/fabrikam-developer/policy.xml', 'apis/media-orders/operations/createOrder.xml', 'apis/media-catalog/policy.xml', 'apis/partner-webhooks/operations/receiveDeliveryEvent.xml'];
const expressions = files.flatMap((file) => {
  const { expressions: found = [] } = policyExpressions({ file, text: fs.readFileSync(path.join(root, file), 'utf8') });
  return found.map((e) => compileExpression(e.text.replace(/\{\{[^}]*\}\}/g, 'signing-key'), e.pos));
});

// The same work written directly in JavaScript over the same state: what the interpreter's overhead is measured against.
function handWritten(state) {
  const header = (name) => state.request.headers.get(name)?.join(',') ?? '';
  const results = [];
  const key = header('Idempotency-Key');
  results.push(key.trim() === '' || key.length > 64);
  results.push(state.response.statusCode === 201 && state.response.body !== undefined);
  results.push(crypto.createHmac('sha256', 'signing-key').update(state.response.body.content).digest('base64'));
  results.push(state.request.url.query.get('genre')?.join(',') ?? 'all');
  results.push(state.requestId.toLowerCase());
  results.push(state.variables.get('partnerJwt').claims.get('oid')?.join(',') ?? '');
  results.push(state.subscription.id);
  results.push(state.response.statusCode >= 200 && state.response.statusCode < 400);
  const signature = header('X-Fabrikam-Signature');
  if (signature.startsWith('sha256=') && signature.length === 71) {
    const expected = 'sha256=' + crypto.createHmac('sha256', 'signing-key').update(state.request.body.content).digest('hex');
    results.push(expected !== signature);
  } else results.push(true);
  return results;
}

const state = call();
const timings = measure(
  {
    interpreter: () => {
      for (let i = 0; i < ROUNDS; i++) for (const e of expressions) e.evaluate(state);
    },
    'hand-written JS': () => {
      for (let i = 0; i < ROUNDS; i++) handWritten(state);
    },
  },
  RUNS,
);
const perRequest = (name) => (timings[name].median * 1000) / ROUNDS;
const interpreter = perRequest('interpreter');
const floor = perRequest('hand-written JS');
console.log(`${expressions.length} expressions from ${files.length} policies of the sample, ${ROUNDS} rounds x ${RUNS} runs (medians)`);
console.log(table(['variant', 'µs per request (all expressions)', 'vs floor'], [
  ['interpreter', interpreter.toFixed(2), `${(interpreter / floor).toFixed(1)}x`],
  ['hand-written JS (floor)', floor.toFixed(2), '1.0x'],
  ['target', `< ${TARGET_US}`, ''],
]));
if (interpreter >= TARGET_US) {
  console.log(`evaluation takes ${interpreter.toFixed(1)} µs per request, above the ${TARGET_US} µs target`);
  process.exit(1);
}
