import { copySample, removeDir, runCli } from './helpers';

/** What a partial failure prints in a CI log (plain lines): each failure once, then the counts. */

const occurrences = (text: string, line: RegExp): number => text.split('\n').filter((l) => line.test(l)).length;

describe('publish: a failed change in a CI log', () => {
  let root: string;
  beforeAll(() => {
    root = copySample();
  });
  afterAll(() => removeDir(root));

  it('prints the failure once (as it settles) and ends with the counts', async () => {
    // A secret longer than APIM allows: the files are valid, the value comes from the environment.
    const publish = await runCli(root, ['publish', '--env', 'local'], { APIOPS_FABRIKAM_WEBHOOK_SECRET: 'k'.repeat(5000) });
    expect(publish.code).toBe(1);
    expect(occurrences(publish.out, /^failed to create namedValue fabrikam-webhook-secret /)).toBe(1);
    expect(occurrences(publish.out, /^skipped create operationPolicy partner-webhooks\/receiveDeliveryEvent:/)).toBe(1);
    expect(publish.out).toMatch(/\nPublish incomplete: \d+ applied, 1 failed, 1 skipped\.\nRe-run publish to retry what failed/);
  });
});
