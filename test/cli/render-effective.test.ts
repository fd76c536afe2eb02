import * as path from 'path';
import { runCli } from '../fixtures/repo';

const SAMPLE = path.resolve(__dirname, '..', '..');

describe('apiops render --effective', () => {
  it('prints the effective policy of an API per product with base and fragments expanded', async () => {
    const { code, io } = await runCli(['render', '--env', 'dev', '--effective', '--api', 'media-orders'], SAMPLE);
    expect(io.err).toBe('');
    expect(code).toBe(0);
    expect(io.out).toContain('effective policy of media-orders via fabrikam-developer');
    expect(io.out).toContain('effective policy of media-orders via fabrikam-production');
    expect(io.out).not.toContain('<base />');
    expect(io.out).not.toContain('<include-fragment');
    expect(io.out).toMatch(/<authentication-managed-identity resource="[^"]+"/);
    expect(io.out).toMatch(/<validate-jwt /);
    expect(io.out).not.toContain('media-catalog');
  });

  it('asks for --out when not printing effective policies', async () => {
    const { code, io } = await runCli(['render', '--env', 'dev'], SAMPLE);
    expect(code).toBe(2);
    expect(io.err).toMatch(/render needs --out DIR/);
  });
});
