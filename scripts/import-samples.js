#!/usr/bin/env node
'use strict';
// Imports the other tools' own sample artifacts, validates the result, publishes it into an embedded emulator through
// the real client and prints, per kind, what the artifacts held, what the repository holds and what the instance has.
//
//   AZURE_APIOPS_REPO=<Azure/apiops checkout or bare git dir> APIOPS_CLI_REPO=<Azure/apiops-cli …> \
//     node -r ./bench/lib/register-ts.js scripts/import-samples.js
//
// - Azure/apiops: its SampleArtifacts folder, as committed.
// - apiops-cli commits no artifact folder: its round-trip test extracts one from an instance it deploys with Bicep,
//   and tests/integration/all-resource-types/expected-structure.json says what that folder holds (names, files and
//   spot-checked properties). This script writes that folder from it; documents the structure only describes
//   (specifications, policies) are minimal ones holding what its spot checks look for.
// Nothing from either repository is copied into apiops: the samples are read from the given paths, in temp folders.
// When import names things it cannot convert, they are listed, removed from the (temporary) copy, and the rest is
// imported again, so that what does convert is still validated and published. Skipped, with a message, when neither
// variable is set.
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { table } = require('../bench/lib/measure');
const { main } = require('../src/cli/main.ts');
const { openTarget } = require('../src/azure/target.ts');
const { readLiveState } = require('../src/azure/read.ts');
const { loadRepository } = require('../src/repo/index.ts');
const { pickEnvironment } = require('../src/render/index.ts');
const { RESOURCE_TYPES } = require('../src/resources/types.ts');

const STRUCTURAL_RULES = ['schema', 'xml-syntax', 'template'];
const MAX_ROUNDS = 6;

function isGitDir(dir) {
  return fs.existsSync(path.join(dir, 'HEAD')) && fs.existsSync(path.join(dir, 'objects'));
}

/** `sub` of a checkout, or of a bare repository's HEAD (extracted into `into`). */
function treeOf(repo, sub, into) {
  if (!isGitDir(repo)) return path.join(repo, sub);
  const archive = execFileSync('git', ['--git-dir', repo, 'archive', 'HEAD', sub], { maxBuffer: 1 << 28 });
  execFileSync('tar', ['-x', '-C', into], { input: archive });
  return path.join(into, sub);
}

async function cli(argv, env = {}) {
  let out = '';
  let err = '';
  const io = { stdout: (t) => (out += t), stderr: (t) => (err += t), isTTY: false, cwd: process.cwd(), env: { ...process.env, ...env } };
  const code = await main(argv, io);
  return { code, out, err };
}

/** Every file under `dir` (relative, `/`-separated). */
function filesOf(dir, prefix = '') {
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? filesOf(dir, relative) : [relative];
  });
}

/** What the artifacts hold, per kind, by their layout's information files. */
function sourceKinds(dir) {
  const counts = {};
  for (const file of filesOf(dir)) {
    const name = path.posix.basename(file);
    let kind = /^(\w+?)Information\.json$/.exec(name)?.[1];
    if (name === 'policy.xml') kind = `policy.xml (${file.split('/').length === 1 ? 'service' : `${file.split('/')[0]}${file.includes('/operations/') ? ' operations' : ''}`})`;
    if (/^specification\./.test(name)) kind = 'specification';
    if (/^(apis|groups|tags)\.json$/.test(name)) kind = `${path.posix.dirname(file).split('/')[0].replace(/s$/, '')}-${name.replace('.json', '')} links`;
    if (kind === 'api' && file.includes(';rev=')) kind = 'api revision';
    if (kind) counts[kind] = (counts[kind] ?? 0) + (/links$/.test(kind) ? JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')).length : 1);
  }
  return counts;
}

/** The unconvertible paths import names (`<dir>/<path>[:line:col]: cannot convert: …`), relative to `dir`. */
function refusedPaths(stderr, dir) {
  return [...stderr.matchAll(/^(.*?)(?::\d+:\d+)?: cannot convert: (.*)$/gm)].map((m) => ({ path: path.relative(dir, path.resolve(m[1])), reason: m[2] }));
}

/** Removes what was refused from the copy: a folder, or the folder an information file defines, or a link list. */
function removeRefused(dir, refused) {
  for (const { path: relative } of refused) {
    const absolute = path.join(dir, relative);
    const base = path.basename(relative);
    const target = /Information\.json$/.test(base) || base === 'policy.xml' ? path.dirname(absolute) : absolute;
    if (target !== dir) fs.rmSync(target, { recursive: true, force: true });
  }
}

async function liveKinds(repo) {
  const target = await openTarget(pickEnvironment(loadRepository(repo).model, 'local'), repo);
  try {
    const kinds = RESOURCE_TYPES.filter((type) => type.managed).map((type) => type.kind);
    const state = await readLiveState(target.connection, { kinds });
    const counts = {};
    for (const { ref, properties } of state.resources) {
      if (properties.builtIn === true || (ref.kind === 'subscription' && ref.ids[0] === 'master') || (ref.kind === 'productGroup' && ref.ids[1] === 'administrators')) continue;
      const kind = ref.kind === 'api' && ref.ids[0].includes(';rev=') ? 'api (revision)' : ref.kind;
      counts[kind] = (counts[kind] ?? 0) + 1;
    }
    return counts;
  } finally {
    await target.close();
  }
}

async function importSample(label, tool, sourceDir, workDir) {
  console.log(`\n## ${label} (${sourceDir})`);
  const copy = path.join(workDir, `${tool}-copy`);
  fs.cpSync(sourceDir, copy, { recursive: true });
  const present = sourceKinds(copy);
  const repo = path.join(workDir, `${tool}-repo`);
  let imported;
  const refusedAll = [];
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    imported = await cli(['import', '--from', tool, copy, '--out', repo]);
    if (imported.code === 0) break;
    const refused = refusedPaths(imported.err, copy);
    if (!refused.length) break;
    refusedAll.push(...refused);
    removeRefused(copy, refused);
  }
  if (refusedAll.length) {
    console.log(`cannot convert (${refusedAll.length}), removed from the copy and imported again:`);
    for (const { path: p, reason } of refusedAll) console.log(`  ${p}: ${reason}`);
  } else {
    console.log('everything converted');
  }
  const notes = imported.out.split('\n').filter((line) => /^ {2}note/.test(line));
  for (const note of notes) console.log(note.replace(`${path.relative(process.cwd(), copy)}${path.sep}`, ''));
  if (imported.code !== 0) {
    console.log(`import failed: ${imported.err}`);
    return false;
  }
  const validated = await cli(['validate', '--repo', repo, '--format', 'json']);
  const findings = JSON.parse(validated.out).findings;
  const structural = findings.filter((finding) => STRUCTURAL_RULES.includes(finding.rule));
  const lintRules = [...new Set(findings.map((finding) => finding.rule).filter((rule) => !STRUCTURAL_RULES.includes(rule)))].sort();
  console.log(`validate: ${structural.length} schema/xml-syntax/template findings; lint rules the imported policies break (turned off to publish): ${lintRules.join(', ') || 'none'}`);
  for (const finding of structural) console.log(`  ${finding.file}:${finding.line}:${finding.column}: ${finding.rule}: ${finding.message}`);
  fs.appendFileSync(path.join(repo, 'apiops.config.yaml'), `lint:\n  rules:\n${lintRules.map((rule) => `    ${rule}: off\n`).join('')}`);
  // Secret named values read their value from the environment; the samples get stand-ins.
  const secrets = {};
  for (const file of filesOf(repo).filter((f) => f.startsWith('named-values/'))) {
    const env = /valueFromEnv: (\S+)/.exec(fs.readFileSync(path.join(repo, file), 'utf8'))?.[1];
    if (env) secrets[env] = `sample-secret-${env.toLowerCase()}`;
  }
  const published = await cli(['publish', '--env', 'local', '--repo', repo], secrets);
  const summary = published.out.split('\n').filter((line) => /^(Published|Publish|No changes|failed)/.test(line) || /failed to/.test(line));
  console.log(`publish (exit ${published.code}): ${summary.join(' / ') || published.err.trim()}`);
  for (const line of published.out.split('\n').filter((l) => /^failed|^skipped/.test(l))) console.log(`  ${line}`);
  const live = await liveKinds(repo);
  const repoFiles = filesOf(repo).filter((f) => !f.startsWith('schemas/') && !f.startsWith('.apiops/'));
  console.log(`repository: ${repoFiles.length} files`);
  console.log('in the artifacts (information files, policies, specifications, links):');
  console.log(table(['artifact', 'count'], Object.entries(present).sort()));
  console.log('on the emulator after publish (APIM resources, built-ins left out):');
  console.log(table(['resource', 'count'], Object.entries(live).sort()));
  return published.code === 0 && structural.length === 0;
}

/** apiops-cli's round-trip artifact folder as its expected-structure.json describes it. */
function apiopsCliSample(repo, workDir) {
  const structure = JSON.parse(fs.readFileSync(treeOf(repo, 'tests/integration/all-resource-types/expected-structure.json', workDir), 'utf8'));
  const dir = path.join(workDir, 'apiops-cli-artifacts');
  const write = (file, text) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  };
  // A property the spot checks only require to exist gets a value of its kind: a reference names the structure's own
  // resource of that kind, a Key Vault reference a vault URL, a list one entry. A logger's instrumentation key is what
  // APIM gives back for one: a reference to the secret named value it generated (24 hex digits), which extract writes.
  const first = (folder) => structure.directories[folder]?.expected?.[0]?.name ?? 'placeholder';
  const generatedNamedValue = '69f15c3c10a45d29d855583a';
  const placeholder = (key) =>
    ({
      loggerId: `/loggers/${first('loggers')}`,
      apiVersionSetId: `/apiVersionSets/${first('versionSets')}`,
      secretIdentifier: 'https://kv-sample.vault.azure.net/secrets/sample',
      instrumentationKey: `{{Logger-Credentials--${generatedNamedValue}}}`,
    })[key] ?? (/s$/.test(key) ? [{ name: 'placeholder' }] : `placeholder-${key}`);
  const propertiesOf = (checks) => {
    const properties = {};
    for (const [dotted, value] of Object.entries(checks ?? {})) {
      const keys = dotted.replace(/^properties\./, '').split('.');
      let node = properties;
      keys.slice(0, -1).forEach((key) => (node = node[key] ??= {}));
      const last = keys[keys.length - 1];
      node[last] = value === 'exists' ? placeholder(last) : value;
    }
    return properties;
  };
  const documentFor = (file, checks) => {
    const words = (checks?.contentIncludes ?? []).join(' ');
    if (file.endsWith('.xml') && words.includes('http-data-source')) return `<http-data-source>\n  <http-request>\n    <set-method>GET</set-method>\n    <set-url>https://example.com/graphql</set-url>\n  </http-request>\n</http-data-source>\n`;
    if (file.endsWith('.xml')) return `<policies>\n  <inbound>\n    <base />\n    <!-- ${words} -->\n  </inbound>\n  <backend>\n    <base />\n  </backend>\n  <outbound>\n    <base />\n  </outbound>\n  <on-error>\n    <base />\n  </on-error>\n</policies>\n`;
    if (file.endsWith('.yaml')) return `openapi: 3.0.1\ninfo:\n  title: ${JSON.stringify(words)}\n  version: '1'\npaths:\n  /health:\n    get:\n      operationId: healthCheck\n      responses:\n        '200':\n          description: OK\n`;
    if (file.endsWith('.json')) return `${JSON.stringify({ swagger: '2.0', info: { title: words, version: '1' }, paths: {} }, null, 2)}\n`;
    if (file.endsWith('.wsdl')) return minimalWsdl(words);
    return `${words}\n`;
  };
  const writeEntries = (prefix, directories, parent) => {
    for (const [folder, { expected = [] }] of Object.entries(directories)) {
      for (const entry of expected) {
        // An entry's children (an API's tags, diagnostics, schemas, releases, resolvers) sit in folders under it; a
        // release names the revision it made current (the API's first, as the structure's notes say).
        const children = { ...(entry.children ?? {}), ...(entry.directories ?? {}) };
        if (folder === 'releases' && parent) entry.spotChecks = { ...entry.spotChecks, 'releaseInformation.json': { 'properties.apiId': `/apis/${parent};rev=1`, ...entry.spotChecks?.['releaseInformation.json'] } };
        writeEntries(`${prefix}${folder}/${entry.name}/`, Object.fromEntries(Object.entries(children).filter(([, child]) => child.expected)), entry.name);
        // "Only operations with policies get directories": the operation the notes name.
        const withPolicy = /(\w+) operation has policy/.exec(entry.notes ?? '')?.[1];
        if (withPolicy) write(`${prefix}${folder}/${entry.name}/operations/${withPolicy}/policy.xml`, documentFor('policy.xml', { contentIncludes: [withPolicy] }));
        for (const file of entry.files ?? []) {
          const relative = `${prefix}${folder}/${entry.name}/${file}`;
          const checks = entry.spotChecks?.[file];
          // What the structure names without spot checks is written as the Bicep deploys it: an API diagnostic sends to
          // the logger, an API schema holds OpenAPI components.
          const properties = { ...INFORMATION_DEFAULTS[file]?.(first), ...propertiesOf(checks) };
          // apiops-cli keeps a fragment's XML in its information file.
          if (file === 'policyFragmentInformation.json') Object.assign(properties, { format: 'rawxml', value: `<fragment>\n  <!-- ${entry.name} -->\n</fragment>` });
          if (/Information\.json$/.test(file)) write(relative, `${JSON.stringify({ properties }, null, 2)}\n`);
          else if (/^(apis|groups|tags)\.json$/.test(file)) write(relative, `${JSON.stringify([].concat(checks?.contains ?? []).map((name) => ({ name })), null, 2)}\n`);
          else write(relative, documentFor(file, checks));
        }
      }
    }
  };
  write('policy.xml', documentFor('policy.xml', structure.serviceLevelArtifacts?.['policy.xml']?.spotChecks));
  writeEntries('', structure.directories);
  write(`namedValues/${generatedNamedValue}/namedValueInformation.json`, `${JSON.stringify({ properties: { displayName: `Logger-Credentials--${generatedNamedValue}`, secret: true } }, null, 2)}\n`);
  for (const workspace of structure.workspaces?.expected ?? []) writeEntries(`${workspace.path}/`, workspace.directories ?? {});
  return dir;
}

const INFORMATION_DEFAULTS = {
  'diagnosticInformation.json': (first) => ({ loggerId: `/loggers/${first('loggers')}` }),
  'schemaInformation.json': () => ({ contentType: 'application/vnd.oai.openapi.components+json', document: { components: { schemas: { Item: { type: 'object' } } } } }),
};

function minimalWsdl(words) {
  return `<?xml version="1.0"?>
<!-- ${words} -->
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:tns="http://tempuri.org/" targetNamespace="http://tempuri.org/">
  <message name="PingIn"/>
  <message name="PingOut"/>
  <portType name="Port"><operation name="Ping"><input message="tns:PingIn"/><output message="tns:PingOut"/></operation></portType>
  <binding name="Binding" type="tns:Port">
    <soap:binding transport="http://schemas.xmlsoap.org/soap/http" style="document"/>
    <operation name="Ping"><soap:operation soapAction="http://tempuri.org/Ping"/><input><soap:body use="literal"/></input><output><soap:body use="literal"/></output></operation>
  </binding>
  <service name="Service"><port name="Port" binding="tns:Binding"><soap:address location="https://example.com/soap"/></port></service>
</definitions>
`;
}

async function run() {
  const azureApiops = process.env.AZURE_APIOPS_REPO;
  const apiopsCli = process.env.APIOPS_CLI_REPO;
  if (!azureApiops && !apiopsCli) {
    console.log('import-samples: skipped (set AZURE_APIOPS_REPO and/or APIOPS_CLI_REPO to a checkout or bare git directory of Azure/apiops, Azure/apiops-cli)');
    return 0;
  }
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiops-import-samples-'));
  let ok = true;
  try {
    if (azureApiops) ok = (await importSample('Azure/apiops SampleArtifacts', 'azure-apiops', treeOf(azureApiops, 'SampleArtifacts', workDir), workDir)) && ok;
    if (apiopsCli) ok = (await importSample('apiops-cli round-trip artifacts (expected-structure.json)', 'apiops-cli', apiopsCliSample(apiopsCli, workDir), workDir)) && ok;
  } finally {
    if (!process.env.IMPORT_SAMPLES_KEEP) fs.rmSync(workDir, { recursive: true, force: true });
  }
  return ok ? 0 : 1;
}

run().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(2);
  },
);
