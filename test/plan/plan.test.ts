import { parsePolicy } from '../../src/policy';
import { plan, summarize } from '../../src/plan/plan';
import { diffJson, printPlan, styleFor } from '../../src/plan/print';
import type { DesiredResource, DesiredState } from '../../src/render/desired';
import type { LiveResource } from '../../src/azure/live-state';
import type { ResourceKind } from '../../src/resources/types';

/** The plan as a pure function: desired vs live, hand-made, no instance involved. */

function desired(kind: ResourceKind, ids: string[], properties: Record<string, unknown>, extra: Partial<DesiredResource> = {}): DesiredResource {
  const policy = typeof properties.value === 'string' && properties.format === 'rawxml' ? parsePolicy(properties.value, 'x.xml').document : undefined;
  return { ref: { kind, ids }, properties, source: { file: `${kind}.yaml`, line: 1, column: 1 }, ...(policy ? { policy } : {}), ...extra };
}

function live(kind: ResourceKind, ids: string[], properties: Record<string, unknown> = {}, etag = '"e1"'): LiveResource {
  return { ref: { kind, ids }, properties, etag };
}

function state(...resources: DesiredResource[]): DesiredState {
  return { environment: 'test', resources };
}

const RAW_POLICY = `<policies>
    <inbound>
        <base />
        <set-header name="X-Caller" exists-action="override">
            <value>@(context.Request.Headers.GetValueOrDefault("X-Caller", "") + "<" + (1 > 0 && true))</value>
        </set-header>
        <rate-limit calls="10" renewal-period="60" />
    </inbound>
</policies>`;

/** What APIM returns for format=xml: entities escaped, tabs and CRLF, attributes in another order, no format field. */
const XML_FORM = [
  '<policies>',
  '\t<inbound>',
  '\t\t<base />',
  '\t\t<set-header exists-action="override" name="X-Caller">',
  '\t\t\t<value>@(context.Request.Headers.GetValueOrDefault("X-Caller", "") + "&lt;" + (1 &gt; 0 &amp;&amp; true))</value>',
  '\t\t</set-header>',
  '\t\t<rate-limit renewal-period="60" calls="10"></rate-limit>',
  '\t</inbound>',
  '</policies>',
].join('\r\n');

describe('plan', () => {
  it('matches repository and instance ids regardless of letter case, as APIM does', () => {
    const p = plan(
      state(desired('api', ['Orders'], { displayName: 'Orders', path: 'orders' }), desired('product', ['Gold'], { displayName: 'Gold' })),
      { resources: [live('api', ['orders'], { displayName: 'Orders', path: 'orders' }), live('product', ['gold'], { displayName: 'Old gold' })] },
    );
    expect(p.changes.map((c) => [c.action, c.kind, c.id])).toEqual([['update', 'product', 'Gold']]);
    expect(p.unchanged).toBe(1);
  });

  it('compares policies semantically: layout, escaping, attribute order and empty-element form are not changes', () => {
    const p = plan(
      state(desired('apiPolicy', ['orders'], { format: 'rawxml', value: RAW_POLICY })),
      { resources: [live('apiPolicy', ['orders'], { value: XML_FORM })] },
    );
    expect(p.changes).toEqual([]);
    expect(p.unchanged).toBe(1);
  });

  it('shows a real policy change as an update with a unified diff and the ETag it saw', () => {
    const edited = RAW_POLICY.replace('calls="10"', 'calls="20"');
    const p = plan(
      state(desired('apiPolicy', ['orders'], { format: 'rawxml', value: edited })),
      { resources: [live('apiPolicy', ['orders'], { format: 'rawxml', value: RAW_POLICY }, '"v7"')] },
    );
    expect(p.changes).toHaveLength(1);
    expect(p.changes[0]).toMatchObject({ action: 'update', kind: 'apiPolicy', id: 'orders', etag: '"v7"', fields: [{ field: 'value' }] });
    expect(p.changes[0].policyDiff).toMatch(/^-\s+<rate-limit calls="10" renewal-period="60" \/>$/m);
    expect(p.changes[0].policyDiff).toMatch(/^\+\s+<rate-limit calls="20" renewal-period="60" \/>$/m);
  });

  it('compares only the fields the repository sets, objects by their keys, empty like absent', () => {
    const p = plan(
      state(
        desired('product', ['gold'], { displayName: 'Gold', description: '', subscriptionRequired: true }),
        desired('backend', ['fn'], { url: 'https://fn', protocol: 'http', tls: { validateCertificateChain: true } }),
      ),
      {
        resources: [
          live('product', ['gold'], { displayName: 'Gold', subscriptionRequired: true, state: 'notPublished', terms: null }),
          live('backend', ['fn'], { url: 'https://fn', protocol: 'http', tls: { validateCertificateChain: true, validateCertificateName: true } }),
        ],
      },
    );
    expect(p.changes).toEqual([]);
    const changed = plan(state(desired('product', ['gold'], { displayName: 'Gold+' })), { resources: [live('product', ['gold'], { displayName: 'Gold' })] });
    expect(changed.changes[0].fields).toEqual([{ field: 'displayName', before: 'Gold', after: 'Gold+' }]);
  });

  it('compares tags and protocols as sets, and a field the repository leaves out as "none"', () => {
    const p = plan(
      state(
        desired('namedValue', ['ttl'], { displayName: 'ttl', value: '60', secret: false, tags: ['media', 'cache'] }),
        desired('api', ['orders'], { displayName: 'Orders', path: 'orders', protocols: ['wss', 'https'] }),
      ),
      {
        resources: [
          live('namedValue', ['ttl'], { displayName: 'ttl', value: '60', secret: false, tags: ['cache', 'media'] }),
          live('api', ['orders'], { displayName: 'Orders', path: 'orders', protocols: ['https', 'wss'], apiVersion: 'v1' }),
        ],
      },
    );
    expect(p.changes.map((c) => [c.id, c.fields])).toEqual([['orders', [{ field: 'apiVersion', before: 'v1' }]]]);
  });

  it('compares a secret only when its value is available here, and never keeps or prints it', () => {
    const secretLive = live('namedValue', ['key'], { displayName: 'key', secret: true, value: 'old-s3cret' });
    const p = plan(state(desired('namedValue', ['key'], { displayName: 'key', secret: true, value: 'new-s3cret' })), { resources: [secretLive] });
    expect(p.changes[0].fields).toEqual([{ field: 'value', sensitive: true }]);
    const everything = JSON.stringify(p) + JSON.stringify(diffJson(p)) + printPlan(p, { style: styleFor(false) });
    expect(everything).not.toMatch(/s3cret/);
    expect(printPlan(p, { style: styleFor(false) })).toContain('value: (sensitive value)');

    const created = plan(state(desired('namedValue', ['key'], { displayName: 'key', secret: true, value: 'new-s3cret' })), { resources: [] });
    expect(JSON.stringify(created) + printPlan(created, { style: styleFor(false) })).not.toMatch(/s3cret/);

    const unavailable = plan(state(desired('namedValue', ['key'], { displayName: 'key', secret: true }, { valueUnavailable: true })), {
      resources: [live('namedValue', ['key'], { displayName: 'key', secret: true })],
    });
    expect(unavailable.changes).toEqual([]);
  });

  it("never deletes APIM's built-ins the repository does not name, and only managed kinds", () => {
    const liveResources = [
      live('api', ['echo-api']),
      live('apiOperation', ['echo-api', 'get']),
      live('product', ['starter']),
      live('product', ['unlimited']),
      live('productApi', ['starter', 'echo-api']),
      live('productGroup', ['gold', 'administrators']),
      live('product', ['gold'], { displayName: 'Gold' }),
      live('group', ['developers'], { builtIn: true }),
      live('apiRelease', ['echo-api', 'r1']),
      live('globalPolicy', [], { value: '<policies><inbound /></policies>' }),
    ];
    const p = plan(state(desired('product', ['gold'], { displayName: 'Gold' })), { resources: liveResources });
    expect(p.changes).toEqual([]);

    // Naming `starter` puts it and its links under management: the repository says which APIs it joins.
    const namingStarter = plan(state(desired('product', ['starter'], { displayName: 'Starter' })), {
      resources: [...liveResources, live('productApi', ['starter', 'partner-api'])],
    });
    expect(namingStarter.changes.map((c) => `${c.action} ${c.kind} ${c.id}`)).toEqual([
      'update product starter',
      'delete productApi starter/echo-api',
      'delete productApi starter/partner-api',
      'delete product gold',
    ]);
  });

  it("removes a managed product's link to a built-in group the repository no longer lists, but not APIM's own Administrators link", () => {
    const gold = desired('product', ['gold'], { displayName: 'Gold' });
    const liveResources = [
      live('product', ['gold'], { displayName: 'Gold' }),
      live('productGroup', ['gold', 'administrators']),
      live('productGroup', ['gold', 'developers']),
      live('productGroup', ['gold', 'guests']),
    ];
    const p = plan(state(gold, desired('productGroup', ['gold', 'guests'], {})), { resources: liveResources });
    expect(p.changes.map((c) => `${c.action} ${c.kind} ${c.id}`)).toEqual(['delete productGroup gold/developers']);

    // A repository that lists Administrators somewhere manages those links too.
    const silver = desired('product', ['silver'], { displayName: 'Silver' });
    const managed = plan(state(gold, silver, desired('productGroup', ['silver', 'administrators'], {})), {
      resources: [...liveResources, live('product', ['silver'], { displayName: 'Silver' }), live('productGroup', ['silver', 'administrators'])],
    });
    expect(managed.changes.map((c) => `${c.action} ${c.kind} ${c.id}`)).toEqual([
      'delete productGroup gold/administrators',
      'delete productGroup gold/developers',
      'delete productGroup gold/guests',
    ]);
  });

  it('orders creates and updates by dependency, deletes in reverse, and marks what goes with its parent', () => {
    const p = plan(
      state(
        desired('productApi', ['gold', 'orders'], {}),
        desired('apiPolicy', ['orders'], { format: 'rawxml', value: '<policies><inbound><include-fragment fragment-id="auth" /></inbound></policies>' }),
        desired('api', ['orders'], { displayName: 'Orders', path: 'orders', format: 'openapi', value: 'openapi: 3.0.0' }),
        desired('policyFragment', ['auth'], { format: 'rawxml', value: '<fragment><base /></fragment>' }),
        desired('product', ['gold'], { displayName: 'Gold' }),
      ),
      {
        resources: [
          live('api', ['old']),
          live('apiPolicy', ['old'], { value: '<policies />' }),
          live('apiOperation', ['old', 'get']),
          live('operationPolicy', ['old', 'get'], { value: '<policies />' }),
          live('productApi', ['gold', 'old']),
          live('product', ['gold'], { displayName: 'Gold' }),
        ],
      },
    );
    expect(p.changes.map((c) => `${c.action} ${c.kind} ${c.id}${c.deletedWith ? ' (with parent)' : ''}`)).toEqual([
      'create policyFragment auth',
      'create api orders',
      'create apiPolicy orders',
      'create productApi gold/orders',
      'delete productApi gold/old',
      'delete operationPolicy old/get (with parent)',
      'delete apiPolicy old (with parent)',
      'delete apiOperation old/get (with parent)',
      'delete api old',
    ]);
    expect(p.changes.find((c) => c.kind === 'api' && c.action === 'create')?.importSpecification).toBe(true);
    // The product still defined lists the deleted API no more: its link goes on every publish, the API only with --prune.
    expect(p.changes.filter((c) => c.action === 'delete' && c.droppedFromList).map((c) => `${c.kind} ${c.id}`)).toEqual(['productApi gold/old']);
    expect(summarize(p, true)).toEqual({ create: 4, update: 0, delete: 5, kept: 0, unchanged: 1 });
    expect(summarize(p, false)).toEqual({ create: 4, update: 0, delete: 1, kept: 4, unchanged: 1 });
    const text = printPlan(p, { style: styleFor(false), deleteNote: 'publish deletes it only with --prune' });
    expect(text).toContain('  - gold/old (dropped from its list in the repository)\n');
    expect(text).toContain('  - old (publish deletes it only with --prune)\n');
    expect(text).toContain('Plan: 4 to create, 0 to update, 1 to delete, 4 kept (deleted only with --prune), 1 unchanged.');
    expect(printPlan(p, { style: styleFor(false), prune: true })).toContain('Plan: 4 to create, 0 to update, 5 to delete, 1 unchanged.');
  });

  it('treats the specification as write-only: operations decide whether the API re-imports it', () => {
    const api = desired('api', ['orders'], { displayName: 'Orders', path: 'orders', format: 'openapi', value: 'openapi: 3.0.0' });
    const op = desired('apiOperation', ['orders', 'get'], { displayName: 'Get', method: 'GET', urlTemplate: '/o' });
    const liveApi = live('api', ['orders'], { displayName: 'Orders', path: 'orders', type: 'http' }, '"a1"');
    const same = plan(state(api, op), { resources: [liveApi, live('apiOperation', ['orders', 'get'], { displayName: 'Get', method: 'GET', urlTemplate: '/o' })] });
    expect(same.changes).toEqual([]);

    const moved = plan(state(api, op), { resources: [liveApi, live('apiOperation', ['orders', 'get'], { displayName: 'Get', method: 'GET', urlTemplate: '/old' })] });
    expect(moved.changes.map((c) => `${c.action} ${c.kind} ${c.id}`)).toEqual(['update api orders', 'update apiOperation orders/get']);
    expect(moved.changes[0]).toMatchObject({ importSpecification: true, etag: '"a1"', fields: [{ field: 'specification' }] });
    expect(moved.changes[1].viaImport).toBe(true);
    expect(printPlan(moved, { style: styleFor(false) })).toContain('  ~ orders/get (by the specification import)\n      urlTemplate: "/old" → "/o"\n');
    expect(moved.unchanged).toBe(0);
  });
});

describe('printers', () => {
  const p = plan(
    state(desired('product', ['gold'], { displayName: 'Gold+' }), desired('backend', ['fn'], { url: 'https://fn', protocol: 'http' })),
    { resources: [live('product', ['gold'], { displayName: 'Gold' }), live('api', ['gone'])] },
  );

  it('prints the contract JSON shape', () => {
    expect(diffJson(p)).toEqual({
      formatVersion: 1,
      changes: [
        { action: 'create', kind: 'backend', id: 'fn', fields: ['url', 'protocol'] },
        { action: 'update', kind: 'product', id: 'gold', fields: ['displayName'] },
        { action: 'delete', kind: 'api', id: 'gone' },
      ],
      // The API the repository dropped is deleted only by publish --prune: kept, as diff counts.
      summary: { create: 1, update: 1, delete: 0, kept: 1, unchanged: 0 },
    });
  });

  it('prints text grouped by kind with a summary line, coloured only when asked', () => {
    const text = printPlan(p, { style: styleFor(false), deleteNote: 'publish deletes it only with --prune' });
    expect(text).toContain('  + fn\n      url: "https://fn"');
    expect(text).toContain('  ~ gold\n      displayName: "Gold" → "Gold+"');
    expect(text).toContain('  - gone (publish deletes it only with --prune)');
    expect(text).toContain('Plan: 1 to create, 1 to update, 0 to delete, 1 kept (deleted only with --prune), 0 unchanged.');
    expect(text).not.toContain('\u001b[');
    expect(printPlan(p, { style: styleFor(true) })).toContain('\u001b[32m+ fn\u001b[0m');
  });

  it('says so when there is nothing to change', () => {
    const none = plan(state(desired('product', ['gold'], { displayName: 'Gold' })), { resources: [live('product', ['gold'], { displayName: 'Gold' })] });
    expect(printPlan(none, { style: styleFor(false) })).toMatch(/^No changes\. .*\(1 resources\)/);
  });
});
