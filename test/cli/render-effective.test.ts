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
    expect(io.err).not.toMatch(/--debug/);
  });

  it('refuses --api without --effective instead of ignoring it', async () => {
    const { code, io } = await runCli(['render', '--out', 'never-written', '--api', 'media-orders'], SAMPLE);
    expect(code).toBe(2);
    expect(io.err).toMatch(/--api selects what --effective prints/);
  });

  it('refuses an --api the repository does not have instead of printing nothing', async () => {
    const { code, io } = await runCli(['render', '--effective', '--api', 'media-orders', 'media-ordres'], SAMPLE);
    expect(code).toBe(2);
    expect(io.out).toBe('');
    expect(io.err).toMatch(/^error: no API media-ordres \(did you mean media-orders\?\) in apis\/ \(APIs: media-catalog, media-graph, media-orders, partner-webhooks\)\n$/);
  });
});
