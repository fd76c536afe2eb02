import * as path from 'node:path';
import { lintRepository } from '../../src/lint';
import { loadAndRender } from '../../src/render';
import { compliantRepository, lintFiles } from './helpers';

describe('repositories that must validate clean', () => {
  test('the compliant fixture repository has no findings', () => {
    expect(lintFiles(compliantRepository())).toEqual([]);
  });

  test.each(['local', 'dev', 'prod'])('the sample repository at the project root, environment %s', (env) => {
    const rendered = loadAndRender(path.join(__dirname, '..', '..'), env, { SAMPLE_SECRET: 'x' });
    expect(lintRepository(rendered)).toEqual([]);
  });
});
