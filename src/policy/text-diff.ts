/** Line diff (Myers' O(ND) algorithm) printed as unified-diff hunks. */

export type Edit = { op: ' ' | '-' | '+'; line: string };

/** Unified-diff hunks (`@@ -a,b +c,d @@` then ` `/`-`/`+` lines) with `context` lines around changes; '' when equal. */
export function unifiedDiff(before: readonly string[], after: readonly string[], context = 3): string {
  const edits = diffLines(before, after);
  const out: string[] = [];
  let i = 0;
  while (i < edits.length) {
    if (edits[i].op === ' ') {
      i++;
      continue;
    }
    // A hunk: from `context` lines before this change to `context` lines after the last change that is
    // within 2 * context unchanged lines of the previous one.
    let start = i;
    while (start > 0 && i - start < context && edits[start - 1].op === ' ') start--;
    let end = i;
    let unchangedRun = 0;
    for (let j = i; j < edits.length; j++) {
      if (edits[j].op === ' ') {
        if (++unchangedRun > 2 * context) break;
      } else {
        unchangedRun = 0;
        end = j + 1;
      }
    }
    end = Math.min(edits.length, end + context);
    const hunk = edits.slice(start, end);
    const beforeStart = 1 + edits.slice(0, start).filter((edit) => edit.op !== '+').length;
    const afterStart = 1 + edits.slice(0, start).filter((edit) => edit.op !== '-').length;
    const beforeCount = hunk.filter((edit) => edit.op !== '+').length;
    const afterCount = hunk.filter((edit) => edit.op !== '-').length;
    out.push(`@@ -${range(beforeStart, beforeCount)} +${range(afterStart, afterCount)} @@`);
    for (const edit of hunk) out.push(edit.op + edit.line);
    i = end;
  }
  return out.length === 0 ? '' : out.join('\n') + '\n';
}

function range(start: number, count: number): string {
  // An empty side is numbered from the line before it, as diff(1) does.
  return count === 1 ? `${start}` : `${count === 0 ? start - 1 : start},${count}`;
}

export function diffLines(a: readonly string[], b: readonly string[]): Edit[] {
  // The lines both sides start and end with are unchanged, and when one side has nothing left the rest is all
  // insertions or all deletions: a created or deleted policy needs no search (Myers' trace grows with the square of
  // the edits).
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end++;
  const unchanged = (line: string): Edit => ({ op: ' ', line });
  const [restA, restB] = [a.slice(start, a.length - end), b.slice(start, b.length - end)];
  const middle = !restA.length || !restB.length ? [...restA.map((line): Edit => ({ op: '-', line })), ...restB.map((line): Edit => ({ op: '+', line }))] : myersDiff(restA, restB);
  return [...a.slice(0, start).map(unchanged), ...middle, ...a.slice(a.length - end).map(unchanged)];
}

function myersDiff(a: readonly string[], b: readonly string[]): Edit[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  // Walk the trace back from (n, m): trace[d] holds the furthest x per diagonal after d - 1 edits.
  const edits: Edit[] = [];
  let x = n;
  let y = m;
  const takeUnchanged = () => {
    x--;
    y--;
    edits.push({ op: ' ', line: a[x] });
  };
  for (let d = trace.length - 1; d > 0; d--) {
    const previous = trace[d];
    const k = x - y;
    const prevK = k === -d || (k !== d && previous[offset + k - 1] < previous[offset + k + 1]) ? k + 1 : k - 1;
    const prevX = previous[offset + prevK];
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) takeUnchanged();
    if (x === prevX) edits.push({ op: '+', line: b[--y] });
    else edits.push({ op: '-', line: a[--x] });
  }
  while (x > 0 && y > 0) takeUnchanged();
  return edits.reverse();
}
