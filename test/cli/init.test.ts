import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { removeRepo, runCli } from '../fixtures/repo';

const CI_DIR = path.join(__dirname, '..', 'ci');

/** GitHub's workflow parser on `files` of `repository` (test/ci/check-workflows.mjs, through the JSON import hook). */
function parseWorkflows(repository: string, files: string[]): Array<{ file: string; errors: string[]; jobs: Array<{ id: string; needs: string[] }> }> {
  const result = spawnSync(process.execPath, ['--import', path.join(CI_DIR, 'json-import-hook.mjs'), path.join(CI_DIR, 'check-workflows.mjs'), repository, ...files], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`workflow parser failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  if?: string;
}
interface Job {
  'runs-on'?: string;
  uses?: string;
  with?: Record<string, unknown>;
  environment?: string;
  needs?: string | string[];
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  steps?: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: { group: string };
  jobs: Record<string, Job>;
}

function readYaml<T>(file: string): T {
  return parse(fs.readFileSync(file, 'utf8')) as T;
}

describe('apiops init', () => {
  let parent: string;
  beforeEach(() => {
    parent = fs.mkdtempSync(path.join(os.tmpdir(), 'apiops-init-'));
  });
  afterEach(() => removeRepo(parent));

  it('scaffolds a repository that validates clean, passes its tests and publishes into the embedded emulator', async () => {
    const init = await runCli(['init', '--ci', 'github', 'apim'], parent);
    expect(init.io.err).toBe('');
    expect(init.code).toBe(0);
    const repository = path.join(parent, 'apim');
    for (const file of ['apiops.config.yaml', '.gitignore', 'apis/hello/api.yaml', 'apis/hello/policy.xml', 'products/starter/product.yaml', 'tests/hello.test.yaml', 'package.json']) {
      expect(fs.existsSync(path.join(repository, file))).toBe(true);
    }
    expect(fs.readFileSync(path.join(repository, '.gitignore'), 'utf8')).toMatch(/^\.apiops\/$/m);
    // Editors find the schemas where `npm install` puts apiops.
    expect(fs.readFileSync(path.join(repository, 'apis/hello/api.yaml'), 'utf8')).toMatch(/^# yaml-language-server: \$schema=\.\.\/\.\.\/node_modules\/apiops\/schemas\/api\.schema\.json$/m);
    expect(JSON.parse(fs.readFileSync(path.join(repository, 'package.json'), 'utf8')).devDependencies.apiops).toMatch(/^\^\d+\.\d+\.\d+/);

    const validate = await runCli(['validate'], repository);
    expect(validate.io.out).toBe('No problems found.\n');
    expect(validate.code).toBe(0);

    const test = await runCli(['test', '--format', 'json'], repository);
    expect(test.code).toBe(0);
    const report = JSON.parse(test.io.out);
    expect(report.summary).toMatchObject({ passed: 3, failed: 0 });

    const publish = await runCli(['publish', '--env', 'local', '--json'], repository);
    expect(publish.io.err).not.toMatch(/error/);
    expect(publish.code).toBe(0);
    const outcome = JSON.parse(publish.io.out);
    expect(outcome.failed).toEqual([]);
    expect(outcome.applied.map((change: { kind: string; id: string }) => `${change.kind} ${change.id}`)).toEqual(
      expect.arrayContaining(['api hello', 'apiPolicy hello', 'product starter', 'productApi starter/hello']),
    );
    // Published means converged: a second diff finds nothing to do.
    const diff = await runCli(['diff', '--env', 'local', '--exit-code'], repository);
    expect(diff.code).toBe(0);
  });

  it('refuses to overwrite, naming the files and writing nothing (exit 2); --force overwrites', async () => {
    fs.writeFileSync(path.join(parent, 'apiops.config.yaml'), 'environments: {}\n');
    fs.mkdirSync(path.join(parent, 'tests'));
    fs.writeFileSync(path.join(parent, 'tests', 'hello.test.yaml'), 'cases: []\n');
    const refused = await runCli(['init'], parent);
    expect(refused.code).toBe(2);
    expect(refused.io.err).toMatch(/nothing written.*apiops\.config\.yaml, tests\/hello\.test\.yaml\n$/);
    expect(refused.io.err).not.toMatch(/\n\s+at /);
    expect(fs.readdirSync(parent).sort()).toEqual(['apiops.config.yaml', 'tests']);
    expect(fs.readFileSync(path.join(parent, 'apiops.config.yaml'), 'utf8')).toBe('environments: {}\n');

    const forced = await runCli(['init', '--force'], parent);
    expect(forced.code).toBe(0);
    expect(fs.readFileSync(path.join(parent, 'apiops.config.yaml'), 'utf8')).toMatch(/^ {2}local:$/m);
    expect((await runCli(['validate'], parent)).code).toBe(0);
  });

  it('keeps a package.json the folder already has', async () => {
    const manifest = '{ "name": "team-apim", "devDependencies": { "apiops": "file:apiops-0.1.0.tgz" } }\n';
    fs.writeFileSync(path.join(parent, 'package.json'), manifest);
    expect((await runCli(['init'], parent)).code).toBe(0);
    expect(fs.readFileSync(path.join(parent, 'package.json'), 'utf8')).toBe(manifest);
  });

  it('rejects an unknown CI system as a usage error (exit 2)', async () => {
    const result = await runCli(['init', '--ci', 'jenkins'], parent);
    expect(result.code).toBe(2);
    expect(result.io.err).toMatch(/--ci.*jenkins|Invalid values/s);
    expect(fs.readdirSync(parent)).toEqual([]);
  });

  describe('--ci github', () => {
    let repository: string;
    let pr: Workflow;
    let release: Workflow;
    let plan: Workflow;
    beforeEach(async () => {
      expect((await runCli(['init', '--ci', 'github'], parent)).code).toBe(0);
      repository = parent;
      const workflows = path.join(repository, '.github', 'workflows');
      pr = readYaml(path.join(workflows, 'apiops-pull-request.yml'));
      release = readYaml(path.join(workflows, 'apiops-release.yml'));
      plan = readYaml(path.join(workflows, 'apiops-plan.yml'));
    });

    it("writes workflows that GitHub's workflow parser accepts", () => {
      const files = ['apiops-pull-request.yml', 'apiops-release.yml', 'apiops-plan.yml'].map((name) => `.github/workflows/${name}`);
      const results = parseWorkflows(repository, files);
      expect(results.map((result) => ({ file: result.file, errors: result.errors }))).toEqual(files.map((file) => ({ file, errors: [] })));
      expect(results[1].jobs).toEqual([
        { id: 'plan-dev', needs: [] },
        { id: 'publish-dev', needs: ['plan-dev'] },
        { id: 'plan-prod', needs: ['publish-dev'] },
        { id: 'publish-prod', needs: ['plan-prod'] },
      ]);
    });

    it('the parser check is not vacuous: a broken workflow is reported', () => {
      const file = path.join(repository, '.github/workflows/apiops-pull-request.yml');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('runs-on: ubuntu-latest', 'runs-onn: ubuntu-latest'));
      const [result] = parseWorkflows(repository, ['.github/workflows/apiops-pull-request.yml']);
      expect(result.errors).toEqual(expect.arrayContaining([expect.stringMatching(/Unexpected value 'runs-onn'/)]));
    });

    it('validates on pull requests as annotations and SARIF, tests as JUnit, and comments one markdown diff per environment', () => {
      expect(Object.keys(pr.on)).toEqual(['pull_request']);
      const validate = pr.jobs.validate.steps!;
      expect(validate.map((step) => step.run).filter(Boolean)).toEqual([
        'npm ci',
        'npx apiops validate --format github',
        'npx apiops validate --format sarif --output apiops.sarif',
        'npx apiops test --format junit --output test-results/apiops-test.xml',
      ]);
      const upload = validate.find((step) => step.uses?.startsWith('github/codeql-action/upload-sarif@'))!;
      expect(upload).toMatchObject({ if: 'always()', with: { sarif_file: 'apiops.sarif' } });
      expect(pr.jobs.validate.permissions).toMatchObject({ 'security-events': 'write' });
      expect(validate.some((step) => step.uses?.startsWith('mikepenz/action-junit-report@') && step.with?.report_paths === 'test-results/apiops-test.xml')).toBe(true);

      const diff = pr.jobs.diff;
      expect(diff.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
      expect((diff as { strategy?: { matrix: { environment: string[] } } }).strategy!.matrix.environment).toEqual(['dev', 'prod']);
      const login = diff.steps!.find((step) => step.uses?.startsWith('azure/login@'))!;
      expect(Object.keys(login.with!).sort()).toEqual(['allow-no-subscriptions', 'client-id', 'tenant-id']);
      expect(diff.steps!.map((step) => step.run ?? '').join('\n')).toMatch(/npx apiops diff --env "\$\{\{ matrix\.environment \}\}" --format markdown/);

      const comment = pr.jobs.comment;
      expect(comment.needs).toBe('diff');
      expect(comment.permissions).toEqual({ 'pull-requests': 'write' });
      const script = String(comment.steps!.find((step) => step.uses?.startsWith('actions/github-script@'))!.with!.script);
      expect(script).toMatch(/updateComment/);
      expect(script).toMatch(/createComment/);
    });

    it('publishes on main dev then prod, each applying its saved plan, through OIDC with no stored secret', () => {
      const text = ['apiops-pull-request.yml', 'apiops-release.yml', 'apiops-plan.yml'].map((name) => fs.readFileSync(path.join(repository, '.github/workflows', name), 'utf8')).join('\n');
      expect(text).not.toMatch(/secrets\./);
      expect(release.on).toMatchObject({ push: { branches: ['main'] } });
      expect(release.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
      expect(release.concurrency).toMatchObject({ group: 'apiops-release', 'cancel-in-progress': false });
      for (const environment of ['dev', 'prod']) {
        expect(release.jobs[`plan-${environment}`]).toMatchObject({ uses: './.github/workflows/apiops-plan.yml', with: { environment } });
        const publish = release.jobs[`publish-${environment}`];
        expect(publish.environment).toBe(environment);
        expect(publish.concurrency).toEqual({ group: `apiops-publish-${environment}`, 'cancel-in-progress': false });
        expect(publish.steps!.some((step) => step.uses?.startsWith('azure/login@'))).toBe(true);
        expect(publish.steps!.find((step) => step.uses?.startsWith('actions/download-artifact@'))!.with).toEqual({ name: `apiops-plan-${environment}` });
        expect(publish.steps!.map((step) => step.run).filter(Boolean)).toEqual(['npm ci', 'npx apiops publish --plan plan.json']);
      }
      expect(release.jobs['plan-prod'].needs).toBe('publish-dev');
      // The reusable plan workflow reads through OIDC too: its caller's id-token permission, and azure/login.
      expect(plan.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
      expect(plan.on).toHaveProperty('workflow_call');
      const planSteps = plan.jobs.plan.steps!;
      expect(planSteps.some((step) => step.uses?.startsWith('azure/login@'))).toBe(true);
      expect(planSteps.find((step) => step.uses?.startsWith('actions/upload-artifact@'))!.with).toEqual({ name: 'apiops-plan-${{ inputs.environment }}', path: 'plan.json' });
      expect(planSteps.map((step) => step.run ?? '').join('\n')).toMatch(/npx apiops diff --env "\$\{\{ inputs\.environment \}\}" --format markdown --out plan\.json >> "\$GITHUB_STEP_SUMMARY"/);
    });
  });

  describe('--ci azure-pipelines', () => {
    type Task = { task?: string; script?: string; publish?: string; download?: string; artifact?: string; inputs?: Record<string, string> };
    type AzureJob = { job?: string; deployment?: string; dependsOn?: string; environment?: string; steps?: Task[]; strategy?: { runOnce?: { deploy: { steps: Task[] } } } };
    type Pipeline = { trigger: unknown; pr: unknown; stages: Array<{ stage: string; dependsOn?: string; jobs: AzureJob[] }> };
    let text: string;
    let pipeline: Pipeline;
    beforeEach(async () => {
      expect((await runCli(['init', '--ci', 'azure-pipelines'], parent)).code).toBe(0);
      expect(fs.existsSync(path.join(parent, '.github'))).toBe(false);
      text = fs.readFileSync(path.join(parent, 'azure-pipelines.yml'), 'utf8');
      pipeline = parse(text) as Pipeline;
    });

    it("passes Microsoft's Azure Pipelines YAML schema (the VS Code extension's), which refuses a misspelt task or input", () => {
      const ajv = new Ajv({ strict: false, allErrors: true, logger: false, unicodeRegExp: false });
      const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/azure-pipelines/azure-pipelines.schema.json'), 'utf8'));
      const validate = ajv.compile(schema);
      expect(validate(pipeline) ? [] : validate.errors).toEqual([]);
      const misspelt = parse(text.replace('task: PublishTestResults@2', 'task: PublishTestResult@2'));
      expect(validate(misspelt)).toBe(false);
      const badInput = parse(text.replace('testResultsFormat: JUnit', 'testResultFormat: JUnit'));
      expect(validate(badInput)).toBe(false);
      const badJob = parse(text.replace('environment: apim-prod', 'enviroment: apim-prod'));
      expect(validate(badJob)).toBe(false);
    });

    it('validates and tests as JUnit results, diffs pull requests through a reader connection, and applies on main the plan each environment reviewed', () => {
      expect(pipeline.stages.map((stage) => stage.stage)).toEqual(['validate', 'diff', 'dev', 'prod']);
      const stage = (name: string) => pipeline.stages.find((candidate) => candidate.stage === name)!;
      const validateSteps = stage('validate').jobs[0].steps!;
      const junit = validateSteps.filter((step) => step.task === 'PublishTestResults@2').map((step) => step.inputs!);
      expect(junit.map((inputs) => [inputs.testResultsFormat, inputs.testResultsFiles])).toEqual([
        ['JUnit', '$(Common.TestResultsDirectory)/apiops-validate.xml'],
        ['JUnit', '$(Common.TestResultsDirectory)/apiops-test.xml'],
      ]);
      expect(validateSteps.map((step) => step.script).filter(Boolean)).toEqual([
        'npm ci',
        'npx apiops validate --format junit --output $(Common.TestResultsDirectory)/apiops-validate.xml',
        'npx apiops test --format junit --output $(Common.TestResultsDirectory)/apiops-test.xml',
      ]);
      const diffCli = stage('diff').jobs[0].steps!.find((step) => step.task === 'AzureCLI@2')!.inputs!;
      expect(diffCli).toMatchObject({ azureSubscription: 'apim-reader', scriptType: 'bash' });
      expect(diffCli.inlineScript).toMatch(/npx apiops diff --env "\$\(environment\)" --format markdown/);
      // Service connections are named, never credentials: workload identity federation keeps no secret in the pipeline.
      expect(text).not.toMatch(/\$\(\w*(secret|password|key)\w*\)/i);
      expect(stage('prod').dependsOn).toBe('dev');
      for (const environment of ['dev', 'prod']) {
        const [plan, deployment] = stage(environment).jobs;
        const planCli = plan.steps!.find((step) => step.task === 'AzureCLI@2')!.inputs!;
        expect(planCli.azureSubscription).toBe('apim-reader');
        expect(planCli.inlineScript).toContain(`npx apiops diff --env ${environment} --format markdown --out "$(Build.ArtifactStagingDirectory)/plan/plan.json"`);
        expect(plan.steps!.find((step) => step.publish)).toEqual({ publish: '$(Build.ArtifactStagingDirectory)/plan', artifact: `apiops-plan-${environment}` });
        expect(deployment).toMatchObject({ deployment: 'publish', dependsOn: 'plan', environment: `apim-${environment}` });
        const steps = deployment.strategy!.runOnce!.deploy.steps;
        expect(steps.find((step) => step.download)).toEqual({ download: 'current', artifact: `apiops-plan-${environment}` });
        const cli = steps.find((step) => step.task === 'AzureCLI@2')!.inputs!;
        expect(cli).toMatchObject({ azureSubscription: `apim-${environment}`, scriptType: 'bash', inlineScript: `npx apiops publish --plan "$(Pipeline.Workspace)/apiops-plan-${environment}/plan.json"` });
      }
    });
  });
});
