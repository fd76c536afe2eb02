import { loadRepository } from '../../src/repo';
import { makeRepo, removeRepo, validateJson } from '../fixtures/repo';

describe('the minimal fixture repository', () => {
  it('loads and validates clean', async () => {
    const root = makeRepo();
    try {
      expect(loadRepository(root).findings).toEqual([]);
      const { code, report, stderr } = await validateJson(root);
      expect(stderr).toBe('');
      expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
      expect(code).toBe(0);
    } finally {
      removeRepo(root);
    }
  });
});
