import { armFailure, raw, RG, startHarness, SVC, type Harness } from './helpers';

describe('resources through the SDK', () => {
  let h: Harness;
  let c: Harness['apim']['client'];
  beforeAll(async () => {
    h = await startHarness();
    c = h.apim.client;
  });
  afterAll(() => h.emulator.close());

  describe('named values', () => {
    it('hides secret values on GET and list, reveals them through listValue, keeps them across PATCH', async () => {
      const created = await c.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'fn-key', { displayName: 'fn-key', value: 's3cr3t', secret: true, tags: ['fn'] });
      expect(created.value).toBeUndefined();
      expect(created.secret).toBe(true);
      const listed = [];
      for await (const nv of c.namedValue.listByService(RG, SVC)) listed.push(nv);
      expect(JSON.stringify(listed)).not.toContain('s3cr3t');
      expect((await c.namedValue.listValue(RG, SVC, 'fn-key')).value).toBe('s3cr3t');
      await c.namedValue.beginUpdateAndWait(RG, SVC, 'fn-key', '*', { tags: ['fn', 'rotated'] });
      expect((await c.namedValue.listValue(RG, SVC, 'fn-key')).value).toBe('s3cr3t');
      expect((await c.namedValue.get(RG, SVC, 'fn-key')).tags).toEqual(['fn', 'rotated']);
    });

    it('returns plain values and Key Vault references with their status', async () => {
      const plain = await c.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'region', { displayName: 'region', value: 'westeurope' });
      expect(plain.value).toBe('westeurope');
      const kv = await c.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'kv-secret', {
        displayName: 'kv-secret',
        keyVault: { secretIdentifier: 'https://contoso.vault.azure.net/secrets/backend-key' },
      });
      expect(kv.secret).toBe(true);
      expect(kv.keyVault?.secretIdentifier).toBe('https://contoso.vault.azure.net/secrets/backend-key');
      expect(kv.keyVault?.lastStatus?.code).toBe('Success');
    });

    it('refuses invalid display names, missing values and duplicate display names', async () => {
      expect((await armFailure(c.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'bad', { displayName: 'has space', value: 'x' }))).code).toBe('ValidationError');
      expect((await armFailure(c.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'bad', { displayName: 'bad' }))).code).toBe('ValidationError');
      expect((await armFailure(c.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'bad', { displayName: 'region', value: 'x' }))).statusCode).toBe(409);
    });

    it('rewrites policy references when a display name changes and blocks deleting a used named value', async () => {
      await c.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'aud', { displayName: 'audience', value: 'api://orders' });
      await c.policy.createOrUpdate(RG, SVC, 'policy', { format: 'rawxml', value: '<policies><inbound><set-header name="aud" exists-action="override"><value>{{audience}}</value></set-header></inbound><backend><forward-request /></backend><outbound /><on-error /></policies>' });
      const blocked = await armFailure(c.namedValue.delete(RG, SVC, 'aud', '*'));
      expect(blocked).toMatchObject({ statusCode: 409, message: "The Named Value 'aud' is used by the following entities: /policies/policy" });
      await c.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'aud', { displayName: 'audience-v2', value: 'api://orders' });
      const policy = await raw(h.emulator, 'GET', 'policies/policy', undefined, {}, 'api-version=2024-05-01&format=rawxml');
      expect(policy.body.properties.value).toContain('<value>{{audience-v2}}</value>');
      await c.policy.delete(RG, SVC, 'policy', '*');
      await c.namedValue.delete(RG, SVC, 'aud', '*');
    });
  });

  describe('products, groups, links and subscriptions', () => {
    beforeAll(async () => {
      await c.api.beginCreateOrUpdateAndWait(RG, SVC, 'media', { displayName: 'Media', path: 'media' });
      await c.product.createOrUpdate(RG, SVC, 'fabrikam-developer', { displayName: 'Fabrikam developer', subscriptionRequired: true, state: 'published' });
    });

    it('links APIs to products through the classic path and apiLinks, as one relation', async () => {
      const linked = await c.productApi.createOrUpdate(RG, SVC, 'fabrikam-developer', 'media');
      expect(linked.displayName).toBe('Media');
      const classic = [];
      for await (const a of c.productApi.listByProduct(RG, SVC, 'fabrikam-developer')) classic.push(a.name);
      expect(classic).toEqual(['media']);
      const links = [];
      for await (const l of c.productApiLink.listByProduct(RG, SVC, 'fabrikam-developer')) links.push(l);
      expect(links.map((l) => l.apiId)).toEqual([`${h.apim.scope ? `/subscriptions/${h.apim.scope.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.ApiManagement/service/${SVC}` : ''}/apis/media`]);
      const byApi = [];
      for await (const p of c.apiProduct.listByApis(RG, SVC, 'media')) byApi.push(p.name);
      expect(byApi).toEqual(['fabrikam-developer']);
      await c.productApi.delete(RG, SVC, 'fabrikam-developer', 'media');
      expect((await armFailure(c.productApi.checkEntityExists(RG, SVC, 'fabrikam-developer', 'media'))).statusCode).toBe(404);
      await c.productApiLink.createOrUpdate(RG, SVC, 'fabrikam-developer', 'link-1', { apiId: '/apis/media' });
      await c.productApi.checkEntityExists(RG, SVC, 'fabrikam-developer', 'media');
    });

    it('refuses links to APIs that do not exist', async () => {
      expect((await armFailure(c.productApi.createOrUpdate(RG, SVC, 'fabrikam-developer', 'ghost'))).statusCode).toBe(404);
      expect((await armFailure(c.productApiLink.createOrUpdate(RG, SVC, 'fabrikam-developer', 'l2', { apiId: '/apis/ghost' }))).code).toBe('ValidationError');
    });

    it('links built-in and custom groups to products', async () => {
      await c.group.createOrUpdate(RG, SVC, 'partners', { displayName: 'Partners' });
      await c.productGroup.createOrUpdate(RG, SVC, 'fabrikam-developer', 'developers');
      await c.productGroup.createOrUpdate(RG, SVC, 'fabrikam-developer', 'partners');
      const groups = [];
      for await (const g of c.productGroup.listByProduct(RG, SVC, 'fabrikam-developer')) groups.push(g.name);
      // APIM links every new product to Administrators itself.
      expect(groups).toEqual(['administrators', 'developers', 'partners']);
      expect((await armFailure(c.group.delete(RG, SVC, 'developers', '*'))).statusCode).toBe(405);
      await c.group.delete(RG, SVC, 'partners', '*');
      const after = [];
      for await (const g of c.productGroupLink.listByProduct(RG, SVC, 'fabrikam-developer')) after.push(g.groupId?.split('/').pop());
      expect(after).toEqual(['administrators', 'developers']);
    });

    it('generates subscription keys, hides them on GET, lists and regenerates them', async () => {
      const sub = await c.subscription.createOrUpdate(RG, SVC, 'fabrikam-dev-key', { displayName: 'Fabrikam dev', scope: '/products/fabrikam-developer' });
      expect(sub.primaryKey).toBeUndefined();
      expect(sub.state).toBe('submitted');
      const secrets = await c.subscription.listSecrets(RG, SVC, 'fabrikam-dev-key');
      expect(secrets.primaryKey).toMatch(/^[0-9a-f]{32}$/);
      await c.subscription.regeneratePrimaryKey(RG, SVC, 'fabrikam-dev-key');
      const after = await c.subscription.listSecrets(RG, SVC, 'fabrikam-dev-key');
      expect(after.primaryKey).not.toBe(secrets.primaryKey);
      expect(after.secondaryKey).toBe(secrets.secondaryKey);
      expect((await armFailure(c.subscription.createOrUpdate(RG, SVC, 'bad', { displayName: 'x', scope: '/products/ghost' }))).code).toBe('ValidationError');
    });

    it("lists a product's subscriptions", async () => {
      const subscriptions = [];
      for await (const sub of c.productSubscriptions.list(RG, SVC, 'fabrikam-developer')) subscriptions.push(sub.name);
      expect(subscriptions).toEqual(['fabrikam-dev-key']);
    });

    it('refuses deleting a product with subscriptions unless asked to delete them', async () => {
      expect((await armFailure(c.product.delete(RG, SVC, 'fabrikam-developer', '*'))).statusCode).toBe(409);
      await c.product.delete(RG, SVC, 'fabrikam-developer', '*', { deleteSubscriptions: true });
      expect((await armFailure(c.subscription.get(RG, SVC, 'fabrikam-dev-key'))).statusCode).toBe(404);
    });
  });

  describe('tags, version sets, backends', () => {
    it('assigns tags to APIs, operations and products and lists them from both sides', async () => {
      await c.tag.createOrUpdate(RG, SVC, 'public', { displayName: 'public' });
      await c.api.beginCreateOrUpdateAndWait(RG, SVC, 'tagged', { displayName: 'Tagged', path: 'tagged' });
      await c.apiOperation.createOrUpdate(RG, SVC, 'tagged', 'get-item', { displayName: 'Get item', method: 'GET', urlTemplate: '/items/{id}', templateParameters: [{ name: 'id', type: 'string', required: true }] });
      await c.tag.assignToApi(RG, SVC, 'tagged', 'public');
      await c.tag.assignToOperation(RG, SVC, 'tagged', 'get-item', 'public');
      const onApi = [];
      for await (const t of c.tag.listByApi(RG, SVC, 'tagged')) onApi.push(t.displayName);
      expect(onApi).toEqual(['public']);
      const apiLinks = [];
      for await (const l of c.tagApiLink.listByProduct(RG, SVC, 'public')) apiLinks.push(l.apiId);
      expect(apiLinks[0]).toMatch(/\/apis\/tagged$/);
      const opLinks = [];
      for await (const l of c.tagOperationLink.listByProduct(RG, SVC, 'public')) opLinks.push(l.operationId);
      expect(opLinks[0]).toMatch(/\/apis\/tagged\/operations\/get-item$/);
      await c.api.beginDeleteAndWait(RG, SVC, 'tagged', '*');
      const remaining = [];
      for await (const l of c.tagApiLink.listByProduct(RG, SVC, 'public')) remaining.push(l);
      expect(remaining).toEqual([]);
    });

    it('validates version sets and lets versioned APIs share a path', async () => {
      expect((await armFailure(c.apiVersionSet.createOrUpdate(RG, SVC, 'vs', { displayName: 'V', versioningScheme: 'Header' }))).code).toBe('ValidationError');
      const set = await c.apiVersionSet.createOrUpdate(RG, SVC, 'vs', { displayName: 'V', versioningScheme: 'Segment' });
      expect(set.type).toBe('Microsoft.ApiManagement/service/api-version-sets');
      await c.api.beginCreateOrUpdateAndWait(RG, SVC, 'v1', { displayName: 'V1', path: 'versioned', apiVersion: 'v1', apiVersionSetId: set.id });
      await c.api.beginCreateOrUpdateAndWait(RG, SVC, 'v2', { displayName: 'V2', path: 'versioned', apiVersion: 'v2', apiVersionSetId: '/apiVersionSets/vs' });
      expect((await c.api.get(RG, SVC, 'v2')).apiVersionSetId).toBe(set.id);
      const clash = await armFailure(c.api.beginCreateOrUpdateAndWait(RG, SVC, 'v3', { displayName: 'V3', path: 'versioned' }));
      expect(clash.statusCode).toBe(409);
      expect((await armFailure(c.apiVersionSet.delete(RG, SVC, 'vs', '*'))).statusCode).toBe(409);
    });

    it('stores backends and refuses bad URLs and protocols', async () => {
      const backend = await c.backend.createOrUpdate(RG, SVC, 'orders-fn', { url: 'https://orders.azurewebsites.net/api', protocol: 'http', tls: { validateCertificateChain: true } });
      expect(backend.url).toBe('https://orders.azurewebsites.net/api');
      expect((await armFailure(c.backend.createOrUpdate(RG, SVC, 'b2', { url: 'not a url', protocol: 'http' }))).code).toBe('ValidationError');
      expect((await armFailure(c.backend.createOrUpdate(RG, SVC, 'b2', { url: 'https://x', protocol: 'grpc' }))).code).toBe('ValidationError');
      await c.backend.update(RG, SVC, 'orders-fn', '*', { description: 'Orders function' });
      expect((await c.backend.get(RG, SVC, 'orders-fn')).description).toBe('Orders function');
    });
  });

  describe('ARM behaviour', () => {
    it('pages lists past 100 items with a nextLink carrying api-version, and honours $top/$skip', async () => {
      await Promise.all(Array.from({ length: 230 }, (_, i) => c.tag.createOrUpdate(RG, SVC, `bulk-${String(i).padStart(3, '0')}`, { displayName: `bulk ${i}` })));
      const first = await raw(h.emulator, 'GET', 'tags', undefined, {}, "api-version=2024-05-01&$filter=startswith(name,'bulk-')");
      expect(first.body.value).toHaveLength(100);
      expect(first.body.count).toBe(230);
      expect(first.body.nextLink).toContain('api-version=2024-05-01');
      expect(first.body.nextLink).toContain('$skip=100');
      const all = [];
      for await (const t of c.tag.listByService(RG, SVC, { filter: "startswith(name,'bulk-')" })) all.push(t.name);
      expect(all).toHaveLength(230);
      expect(new Set(all).size).toBe(230);
      const page = await raw(h.emulator, 'GET', 'tags', undefined, {}, "api-version=2024-05-01&$filter=startswith(name,'bulk-')&$top=5&$skip=10");
      expect(page.body.value.map((t: { name: string }) => t.name)).toEqual(['bulk-010', 'bulk-011', 'bulk-012', 'bulk-013', 'bulk-014']);
    });

    it('answers 201 on create and 200 on update, 200 then 204 on delete', async () => {
      expect((await raw(h.emulator, 'PUT', 'groups/g1', { properties: { displayName: 'G1' } })).status).toBe(201);
      expect((await raw(h.emulator, 'PUT', 'groups/g1', { properties: { displayName: 'G1b' } })).status).toBe(200);
      expect((await raw(h.emulator, 'DELETE', 'groups/g1', undefined, { 'If-Match': '*' })).status).toBe(200);
      expect((await raw(h.emulator, 'DELETE', 'groups/g1', undefined, { 'If-Match': '*' })).status).toBe(204);
    });

    it('honours If-Match when sent on PUT, PATCH and DELETE, and runs them unconditionally without it, as Azure does', async () => {
      const created = await raw(h.emulator, 'PUT', 'groups/g2', { properties: { displayName: 'G2' } });
      expect((await raw(h.emulator, 'PUT', 'groups/g2', { properties: { displayName: 'G2' } }, { 'If-Match': '"stale"' })).status).toBe(412);
      const etag = created.headers.get('etag') as string;
      const replaced = await raw(h.emulator, 'PUT', 'groups/g2', { properties: { displayName: 'G2' } }, { 'If-Match': etag });
      expect(replaced.status).toBe(200);
      expect((await raw(h.emulator, 'PATCH', 'groups/g2', { properties: { description: 'd' } }, { 'If-Match': etag })).status).toBe(412);
      const patched = await raw(h.emulator, 'PATCH', 'groups/g2', { properties: { description: 'd' } });
      expect({ status: patched.status, description: patched.body.properties.description }).toEqual({ status: 200, description: 'd' });
      expect((await raw(h.emulator, 'DELETE', 'groups/g2', undefined, { 'If-Match': etag })).status).toBe(412);
      expect((await raw(h.emulator, 'DELETE', 'groups/g2')).status).toBe(200);
      expect((await raw(h.emulator, 'GET', 'groups/g2')).status).toBe(404);
    });

    it('uses ARM error bodies: 404 ResourceNotFound, 400 on missing properties and bad ids, 404 under a missing parent', async () => {
      const missing = await raw(h.emulator, 'GET', 'apis/nope');
      expect(missing).toMatchObject({ status: 404, body: { error: { code: 'ResourceNotFound', message: 'Api not found.' } } });
      const noName = await raw(h.emulator, 'PUT', 'products/p-x', { properties: {} });
      expect(noName.body.error).toMatchObject({ code: 'ValidationError', details: [{ target: 'displayName' }] });
      expect((await raw(h.emulator, 'PUT', 'products/bad%3Fid', { properties: { displayName: 'x' } })).status).toBe(400);
      const orphan = await raw(h.emulator, 'PUT', 'apis/nope/operations/op', { properties: { displayName: 'x', method: 'GET', urlTemplate: '/' } });
      expect(orphan).toMatchObject({ status: 404, body: { error: { message: 'Api not found.' } } });
      expect((await raw(h.emulator, 'GET', 'apis', undefined, {}, '')).body.error.code).toBe('MissingApiVersionParameter');
    });

    it('refuses malformed bodies and unknown routes with ARM errors', async () => {
      const response = await fetch(`${h.emulator.url}/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/${RG}/providers/Microsoft.ApiManagement/service/${SVC}/tags/t-bad?api-version=2024-05-01`, {
        method: 'PUT',
        headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json' },
        body: '{"properties": {',
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('InvalidRequestContent');
      expect((await raw(h.emulator, 'PUT', 'tags/t-bad', { properties: 'x' })).body.error.code).toBe('InvalidRequestContent');
      expect((await raw(h.emulator, 'GET', 'gateways/g1')).status).toBe(404);
    });

    it('checks and writes atomically: of concurrent creates on one path exactly one wins', async () => {
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, i) => raw(h.emulator, 'PUT', `apis/race-${i}`, { properties: { displayName: `Race ${i}`, path: 'race' } })),
      );
      expect(results.filter((r) => r.status === 201)).toHaveLength(1);
      expect(results.filter((r) => r.status === 409)).toHaveLength(23);
    });

    it('lists an API once, without its non-current revisions, and deletes revisions with it', async () => {
      await c.api.beginCreateOrUpdateAndWait(RG, SVC, 'rev-api', { displayName: 'Rev', path: 'rev' });
      const revision = await c.api.beginCreateOrUpdateAndWait(RG, SVC, 'rev-api;rev=2', { path: 'rev', sourceApiId: '/apis/rev-api', apiRevisionDescription: 'second' });
      expect(revision).toMatchObject({ apiRevision: '2', isCurrent: false, displayName: 'Rev' });
      const listed = [];
      for await (const a of c.api.listByService(RG, SVC, { filter: "startswith(name,'rev-')" })) listed.push(a.name);
      expect(listed).toEqual(['rev-api']);
      await c.api.beginDeleteAndWait(RG, SVC, 'rev-api', '*', { deleteRevisions: true });
      expect((await armFailure(c.api.get(RG, SVC, 'rev-api;rev=2'))).statusCode).toBe(404);
    });

    it('requires a bearer token', async () => {
      const response = await fetch(`${h.emulator.url}/subscriptions/s/resourceGroups/r/providers/Microsoft.ApiManagement/service/x/apis?api-version=2024-05-01`);
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('AuthenticationFailed');
    });

    it('keeps several services side by side', async () => {
      const other = await raw(h.emulator, 'GET', 'tags');
      expect(other.status).toBe(200);
      const elsewhere = await fetch(`${h.emulator.url}/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/${RG}/providers/Microsoft.ApiManagement/service/apim-other/tags?api-version=2024-05-01`, { headers: { Authorization: 'Bearer t' } });
      expect(((await elsewhere.json()) as { value: unknown[] }).value).toEqual([]);
    });
  });
});
