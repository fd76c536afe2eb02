'use strict';
// Precision of the per-file policy rules on public policies APIM accepts: Microsoft's policy snippets
// (Azure/api-management-policy-snippets) and the AI-Gateway labs (Azure-Samples/AI-Gateway). Every finding of
// xml-syntax, unknown-policy or policy-attributes there is a false one (the target is 0), except on the few files
// APIM rejects as well (REJECTED_BY_APIM, each with its reason) and next to a lab template's {placeholder}: those
// are counted apart. The other rules that judge a policy by its content alone (policy-placement, inline-secret,
// cors-wildcard, jwt-audience-required, jwt-issuer-version, https-only) are counted for information: a snippet's scope is
// not known (each is checked as an API policy, a <fragment> as a fragment), and their findings are listed to be judged.
// The corpora are never part of this repository: APIOPS_POLICY_CORPUS lists their folders or bare git mirrors
// (path-separated); by default the mirrors the `fetch` tool writes under /work/.mirror. Absent corpora are skipped.
// Also prints the time taken against the floor of parsing alone.
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { measure, table } = require('./lib/measure');
const { parsePolicy } = require('../src/policy');
const { policyAttributes } = require('../src/lint/rules/policy-attributes');
const { policyPlacement } = require('../src/lint/rules/policy-placement');
const { unknownPolicy } = require('../src/lint/rules/unknown-policy');
const { inlineSecret } = require('../src/lint/rules/inline-secret');
const { corsWildcard } = require('../src/lint/rules/cors-wildcard');
const { jwtAudienceRequired } = require('../src/lint/rules/jwt-audience-required');
const { jwtIssuerVersion } = require('../src/lint/rules/jwt-issuer-version');
const { httpsOnly } = require('../src/lint/rules/https-only');
const { walkElements } = require('../src/policy/query');

const DEFAULT_CORPORA = ['/work/.mirror/Azure+api-management-policy-snippets/repo', '/work/.mirror/Azure-Samples+AI-Gateway/repo'];
const corpora = (process.env.APIOPS_POLICY_CORPUS ? process.env.APIOPS_POLICY_CORPUS.split(path.delimiter) : DEFAULT_CORPORA).filter(Boolean);
const RULES = [unknownPolicy, policyAttributes, policyPlacement, inlineSecret, corsWildcard, jwtAudienceRequired, jwtIssuerVersion, httpsOnly];
/** A repository holding nothing but the one policy: no YAML, no secrets this run knows. */
const NOTHING_ELSE = { model: { config: undefined, apis: [], products: [], backends: [], namedValues: [] }, secrets: [] };
/**
 * Corpus files APIM itself rejects, so a finding there is a true one (checked by hand; kept here with the reason so
 * the count of false findings stays honest). Keyed by file name and rule.
 */
const REJECTED_BY_APIM = {
  'examples/Call out to an HTTP endpoint and cache the response.policy.xml xml-syntax':
    "the snippet's expressions are garbled (context.Variables[\"response=\"\"\"]), so they do not compile",
  'examples/Filter response content based on product name.policy.xml xml-syntax':
    'its first comment is not closed before the next <!--, and XML (XmlReader, as APIM) refuses "--" inside a comment',
};
/** A lab template's Python str.format placeholder (`{tpm}`, `{backend-id}`), filled in before the lab deploys it. */
const PLACEHOLDER = /(^|[^{@$])\{[A-Za-z][\w-]*\}(?!\})/;

/** The rules that must report nothing on policies APIM accepts. */
const PRECISION_RULES = ['xml-syntax', 'unknown-policy', 'policy-attributes'];
const COLUMNS = [...PRECISION_RULES, ...RULES.map((rule) => rule.id).filter((id) => !PRECISION_RULES.includes(id))];

/** `{ name, text }` of every policy document (root <policies> or <fragment>) in a folder or bare git repository. */
function readCorpus(location) {
  const isBareGit = fs.existsSync(path.join(location, 'HEAD')) && fs.existsSync(path.join(location, 'objects'));
  let entries;
  if (isBareGit) {
    const git = (...args) => execFileSync('git', ['--git-dir', location, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
    entries = git('ls-tree', '-r', '--name-only', '-z', 'HEAD')
      .split('\0')
      .filter((name) => name.toLowerCase().endsWith('.xml'))
      .map((name) => ({ name, text: git('show', `HEAD:${name}`) }));
  } else {
    const walk = (dir) =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return entry.name === '.git' ? [] : walk(full);
        return entry.name.toLowerCase().endsWith('.xml') ? [full] : [];
      });
    entries = walk(location).map((full) => ({ name: path.relative(location, full), text: fs.readFileSync(full, 'utf8') }));
  }
  return entries.filter(({ text }) => /<(policies|fragment)[\s>]/.test(text.replace(/<!--[\s\S]*?-->/g, '')));
}

function lintPolicy(name, text) {
  const parsed = parsePolicy(text, name);
  const findings = [...parsed.findings];
  if (!parsed.document) return findings;
  const level = parsed.document.root.name === 'fragment' ? 'fragment' : 'api';
  const file = { ref: { kind: level === 'fragment' ? 'policyFragment' : 'apiPolicy', ids: [name] }, level, source: { file: name, text }, document: parsed.document };
  const elements = new Map();
  walkElements(parsed.document.root, (element) => elements.set(element.name, [...(elements.get(element.name) ?? []), { file, element }]));
  for (const rule of RULES) {
    const ctx = {
      rendered: NOTHING_ELSE,
      policies: [file],
      fragments: new Map(),
      elementsNamed: (name) => elements.get(name) ?? [],
      report: (report) => findings.push({ rule: rule.id, severity: report.severity ?? rule.defaultSeverity, ...report.pos, message: report.message }),
    };
    rule.check(ctx);
  }
  return findings;
}

const available = corpora.filter((location) => fs.existsSync(location));
for (const missing of corpora.filter((location) => !available.includes(location))) console.log(`skipped: no corpus at ${missing}`);
if (!available.length) {
  console.log('no policy corpus available (set APIOPS_POLICY_CORPUS); nothing measured');
  process.exit(0);
}

let falseFindings = 0;
const rows = [];
for (const location of available) {
  const documents = readCorpus(location);
  const counts = {};
  const details = [];
  const explained = { rejected: 0, placeholder: 0 };
  for (const { name, text } of documents) {
    const lines = text.split(/\r?\n/);
    for (const finding of lintPolicy(name, text)) {
      const where = `${finding.rule} ${finding.file}:${finding.line}:${finding.column} ${finding.message}`;
      const precision = PRECISION_RULES.includes(finding.rule);
      const rejected = REJECTED_BY_APIM[`${finding.file} ${finding.rule}`];
      const nearPlaceholder = lines.slice(Math.max(0, finding.line - 1), finding.line + 1).some((line) => PLACEHOLDER.test(line));
      if (precision && rejected) {
        explained.rejected++;
        details.push(`  true (APIM rejects it: ${rejected}): ${where}`);
      } else if (precision && nearPlaceholder) {
        explained.placeholder++;
        details.push(`  true (lab template placeholder, not a policy as APIM receives it): ${where}`);
      } else {
        counts[finding.rule] = (counts[finding.rule] ?? 0) + 1;
        details.push(`  ${precision ? 'FALSE? ' : ''}${where}`);
      }
    }
  }
  const times = measure(
    {
      parse: () => documents.forEach(({ name, text }) => parsePolicy(text, name)),
      lint: () => documents.forEach(({ name, text }) => lintPolicy(name, text)),
    },
    5,
  );
  falseFindings += PRECISION_RULES.reduce((sum, rule) => sum + (counts[rule] ?? 0), 0);
  rows.push([
    path.basename(location) === 'repo' ? path.basename(path.dirname(location)) : location,
    documents.length,
    ...COLUMNS.map((rule) => counts[rule] ?? 0),
    explained.rejected,
    explained.placeholder,
    times.parse.median.toFixed(1),
    times.lint.median.toFixed(1),
  ]);
  if (details.length) console.log(`${location}:\n${details.join('\n')}`);
}
console.log(table(['corpus', 'policies', ...COLUMNS, 'APIM rejects', 'lab placeholders', 'parse ms (floor)', 'parse + rules ms'], rows));
console.log(falseFindings ? `FAIL: ${falseFindings} ${PRECISION_RULES.join('/')} findings on policies APIM accepts` : `ok: no ${PRECISION_RULES.join('/')} finding`);
process.exit(falseFindings ? 1 : 0);
