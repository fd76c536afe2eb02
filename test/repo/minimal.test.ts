import { loadRepository } from '../../src/repo';
import { makeRepo, MINIMAL_REPO, removeRepo, validateJson } from '../fixtures/repo';

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

  it('leaves documentation and other non-policy files alone wherever they are', () => {
    const root = makeRepo({
      'apis/README.md': '# APIs',
      'apis/orders/NOTES.md': 'owner: orders team',
      'apis/orders/schemas/order.json': '{"type": "object"}',
      'policies/README.md': '# Policies',
      'products/README.md': '# Products',
      'products/partners/terms.md': 'terms of use',
    });
    try {
      expect(loadRepository(root).findings).toEqual([]);
    } finally {
      removeRepo(root);
    }
  });

  it('accepts files saved on Windows: UTF-8 byte order mark and CRLF line endings', async () => {
    const windows = (text: string) => `\ufeff${text.replace(/\n/g, '\r\n')}`;
    const root = makeRepo(Object.fromEntries(Object.entries(MINIMAL_REPO).map(([file, text]) => [file, windows(text)])));
    try {
      const { code, report } = await validateJson(root);
      expect(report.findings).toEqual([]);
      expect(code).toBe(0);
    } finally {
      removeRepo(root);
    }
  });
});
