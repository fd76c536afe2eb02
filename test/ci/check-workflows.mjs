// Parses GitHub Actions workflow files with GitHub's own parser (@actions/workflow-parser: the schema and conversion
// the Actions service and its language server use) and prints, as JSON, each file's errors and its jobs. Reusable
// workflows the files call (`uses: ./.github/workflows/x.yml`) are read from the repository folder given first.
// Usage: node --import ./json-import-hook.mjs check-workflows.mjs REPO FILE...
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';

const [repository, ...files] = process.argv.slice(2);
const fileProvider = {
  getFileContent: async (ref) => ({ name: ref.path, content: await readFile(path.join(repository, ref.path), 'utf8') }),
};
const results = [];
for (const file of files) {
  const content = await readFile(path.join(repository, file), 'utf8');
  const parsed = parseWorkflow({ name: file, content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((error) => error.message);
  let jobs = [];
  if (parsed.value && errors.length === 0) {
    const template = await convertWorkflowTemplate(parsed.context, parsed.value, fileProvider, { fetchReusableWorkflowDepth: 1 });
    errors.push(...(template.errors ?? []).map((error) => error.Message));
    jobs = (template.jobs ?? []).map((job) => ({ id: job.id.value, needs: (job.needs ?? []).map((need) => need.value) }));
  }
  results.push({ file, errors, jobs });
}
process.stdout.write(JSON.stringify(results));
