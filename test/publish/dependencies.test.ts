import { parsePolicy } from '../../src/policy';
import { changeDependencies } from '../../src/apply/dependencies';
import { plan, refKey } from '../../src/plan/plan';
import type { DesiredResource } from '../../src/render/desired';
import type { LiveResource } from '../../src/azure/live-state';
import type { ResourceKind } from '../../src/resources/types';

/** What each change of a plan waits for, and what makes it pointless. */

function desired(kind: ResourceKind, ids: string[], properties: Record<string, unknown> = {}): DesiredResource {
  const policy = typeof properties.value === 'string' ? parsePolicy(properties.value, 'p.xml').document : undefined;
  return { ref: { kind, ids }, properties, source: { file: 'f', line: 1, column: 1 }, ...(policy ? { policy } : {}) };
}

const live = (kind: ResourceKind, ids: string[]): LiveResource => ({ ref: { kind, ids }, properties: {}, etag: '"1"' });
const key = (kind: ResourceKind, ...ids: string[]) => refKey({ kind, ids });

describe('change dependencies', () => {
  const state = {
    environment: 'test',
    resources: [
      desired('namedValue', ['a'], { displayName: 'a' }),
      desired('namedValue', ['b'], { displayName: 'b' }),
      desired('policyFragment', ['auth'], { format: 'rawxml', value: '<fragment><base /></fragment>' }),
      desired('policyFragment', ['other'], { format: 'rawxml', value: '<fragment><base /></fragment>' }),
      desired('api', ['one'], { displayName: 'One', path: 'one' }),
      desired('api', ['two'], { displayName: 'Two', path: 'two' }),
      desired('apiPolicy', ['one'], { format: 'rawxml', value: '<policies><inbound><include-fragment fragment-id="auth" /><set-header name="x"><value>{{b}}</value></set-header></inbound></policies>' }),
      desired('backend', ['functions'], { url: 'https://functions.example', credentials: { header: { 'x-functions-key': ['{{A}}'] } } }),
      desired('backend', ['plain'], { url: 'https://plain.example' }),
      desired('product', ['gold'], { displayName: 'Gold' }),
      desired('productApi', ['gold', 'one']),
    ],
  };
  const p = plan(state, { resources: [live('api', ['old']), live('apiPolicy', ['old']), live('productApi', ['gold', 'old'])] });
  const dependencies = changeDependencies(p.changes, state);
  const of = (k: string) => [...dependencies.entries()].find(([change]) => refKey(change.ref) === k)![1];

  it('serialises named value writes', () => {
    expect([...of(key('namedValue', 'a')).after]).toEqual([]);
    expect([...of(key('namedValue', 'b')).after]).toEqual([key('namedValue', 'a')]);
  });

  it('lets a policy wait for its own API and what it names, not for every write of those kinds', () => {
    const apiPolicy = of(key('apiPolicy', 'one'));
    const named = [key('api', 'one'), key('namedValue', 'b'), key('policyFragment', 'auth')].sort();
    expect([...apiPolicy.after].sort()).toEqual(named);
    expect([...apiPolicy.requires].sort()).toEqual(named);
  });

  it('lets a backend wait for the named values its properties name ({{displayName}}, in any case), not for every one', () => {
    expect([...of(key('backend', 'functions')).after]).toEqual([key('namedValue', 'a')]);
    expect([...of(key('backend', 'functions')).requires]).toEqual([key('namedValue', 'a')]);
    expect([...of(key('backend', 'plain')).after]).toEqual([]);
  });

  it('lets a link wait for the two resources it joins only, not for every API', () => {
    const link = of(key('productApi', 'gold', 'one'));
    expect([...link.after].sort()).toEqual([key('api', 'one'), key('product', 'gold')].sort());
    expect([...link.requires].sort()).toEqual([key('api', 'one'), key('product', 'gold')].sort());
  });

  it('runs deletes after every write, children before parents, and never waits on what goes with a parent', () => {
    const apiDelete = of(key('api', 'old'));
    expect(apiDelete.after).toContain(key('apiPolicy', 'one'));
    expect(apiDelete.after).toContain(key('productApi', 'gold', 'old'));
    expect(apiDelete.after).not.toContain(key('apiPolicy', 'old'));
    expect(apiDelete.requires.size).toBe(0);
  });

  it('deletes a fragment only after the API whose policy includes it is gone, and never lets two API deletes wait for each other', () => {
    const removed = plan(
      { environment: 'test', resources: [] },
      { resources: [live('policyFragment', ['legacy']), live('api', ['a']), live('apiPolicy', ['a']), live('api', ['b']), live('apiPolicy', ['b'])] },
    );
    const deps = changeDependencies(removed.changes, { environment: 'test', resources: [] });
    const after = (k: string) => [...deps.entries()].find(([change]) => refKey(change.ref) === k)![1].after;
    // The policies go with their APIs (no request of their own): waiting on them is waiting on those deletes.
    expect(after(key('policyFragment', 'legacy'))).toEqual(new Set([key('apiPolicy', 'a'), key('apiPolicy', 'b')]));
    expect(after(key('api', 'a'))).toEqual(new Set());
    expect(after(key('api', 'b'))).toEqual(new Set());
  });
});
