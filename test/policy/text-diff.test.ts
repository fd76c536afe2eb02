import { diffLines, unifiedDiff } from '../../src/policy/text-diff';

describe('line diff', () => {
  it('on seeded random inputs, the edits rebuild both sides and keep a longest common subsequence', () => {
    let seed = 11;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const lines = (length: number) => Array.from({ length }, () => 'abcde'[random(5)]);
    for (let run = 0; run < 300; run++) {
      const a = lines(random(12));
      const b = lines(random(12));
      const edits = diffLines(a, b);
      expect(edits.filter((edit) => edit.op !== '+').map((edit) => edit.line)).toEqual(a);
      expect(edits.filter((edit) => edit.op !== '-').map((edit) => edit.line)).toEqual(b);
      expect(edits.filter((edit) => edit.op === ' ')).toHaveLength(lcsLength(a, b));
    }
  });

  it('prints hunks with diff(1) line numbers', () => {
    expect(unifiedDiff(['a', 'b', 'c'], ['a', 'x', 'c'])).toBe('@@ -1,3 +1,3 @@\n a\n-b\n+x\n c\n');
    expect(unifiedDiff(['a'], ['a', 'b'])).toBe('@@ -1 +1,2 @@\n a\n+b\n');
    expect(unifiedDiff(['same'], ['same'])).toBe('');
    expect(unifiedDiff([], ['a', 'b'])).toBe('@@ -0,0 +1,2 @@\n+a\n+b\n');
    expect(unifiedDiff(['a', 'b'], [])).toBe('@@ -1,2 +0,0 @@\n-a\n-b\n');
    expect(unifiedDiff(['a', 'b', 'c', 'd'], ['a', 'd'])).toBe('@@ -1,4 +1,2 @@\n a\n-b\n-c\n d\n');
  });
});

function lcsLength(a: string[], b: string[]): number {
  const table = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      table[i][j] = a[i - 1] === b[j - 1] ? table[i - 1][j - 1] + 1 : Math.max(table[i - 1][j], table[i][j - 1]);
    }
  }
  return table[a.length][b.length];
}
