import * as fs from 'fs';
import * as path from 'path';
import { makeRepo, removeRepo, runCli } from '../fixtures/repo';

/** Extract into a repository whose YAML is templated per environment, and whose files are scoped to environments. */

const CONFIG = `environments:
  a:
    target: { emulator: .apiops/a }
    values: { audience: api://orders-a, backendApp: api://func-orders-a, ordersUrl: https://func-orders-a.azurewebsites.net/api }
  b:
    target: { emulator: .apiops/b }
    values: { audience: api://orders-b, backendApp: api://func-orders-b, ordersUrl: https://func-orders-b.azurewebsites.net/api }
`;

const BACKEND = '# One backend, a url per environment.\nurl: "{{values.ordersUrl}}"\nprotocol: http\n';

describe('extract into templated YAML', () => {
  let root: string;
  beforeAll(async () => {
    root = makeRepo({
      'apiops.config.yaml': CONFIG,
      'backends/orders-functions.yaml': BACKEND,
      'named-values/only-a.yaml': 'displayName: only-a\nvalue: "1"\nenvironments: [a]\n',
    });
    expect((await runCli(['publish', '--env', 'b'], root)).code).toBe(0);
  });
  afterAll(() => removeRepo(root));

  it('keeps a templated field that renders to the instance’s value, and a file scoped to another environment', async () => {
    const { code, io } = await runCli(['extract', '--env', 'b'], root);
    expect(code).toBe(0);
    expect(io.out).toContain('0 written, 7 unchanged, 0 removed');
    expect(io.out).not.toContain('warning');
    expect(fs.readFileSync(path.join(root, 'backends/orders-functions.yaml'), 'utf8')).toBe(BACKEND);
    expect(fs.existsSync(path.join(root, 'named-values/only-a.yaml'))).toBe(true);
  });

  it('writes the instance’s value over a template that renders to another, with a warning', async () => {
    fs.writeFileSync(path.join(root, 'apiops.config.yaml'), CONFIG.replace('https://func-orders-b.azurewebsites.net/api', 'https://func-orders-b2.azurewebsites.net/api'));
    const { code, io } = await runCli(['extract', '--env', 'b'], root);
    expect(code).toBe(0);
    expect(io.out).toContain("warning  backends/orders-functions.yaml: url was a template; replaced by the instance's value for environment 'b' (put its {{values…}} back)");
    expect(fs.readFileSync(path.join(root, 'backends/orders-functions.yaml'), 'utf8')).toBe(BACKEND.replace('"{{values.ordersUrl}}"', 'https://func-orders-b.azurewebsites.net/api'));
  });
});
