import { all, armFailure, raw, RG, SERVICE_ID, startHarness, SVC, type Harness } from './helpers';

/**
 * The resource families of the emulator issue that resources.test.ts does not walk end to end, each through the
 * real SDK client: groups, product groups and group links, tags on products, subscriptions, Key Vault named
 * values, API version sets, revisions, product API links, and the ids and types Azure answers with.
 */

describe('resource families through the SDK', () => {
  let h: Harness;
  let c: Harness['apim']['client'];
  beforeAll(async () => {
    h = await startHarness();
    c = h.apim.client;
    await c.api.beginCreateOrUpdateAndWait(RG, SVC, 'media', { displayName: 'Media', path: 'media' });
    await c.product.createOrUpdate(RG, SVC, 'partner', { displayName: 'Partner', state: 'published' });
  });
  afterAll(() => h.emulator.close());

  it('defaults products as Azure does: subscription required, no approval, not published', async () => {
    const created = await c.product.createOrUpdate(RG, SVC, 'defaults', { displayName: 'Defaults' });
    expect(created).toMatchObject({ subscriptionRequired: true, approvalRequired: false, state: 'notPublished' });
    const open = await c.product.createOrUpdate(RG, SVC, 'open', { displayName: 'Open', subscriptionRequired: false });
    expect(open.approvalRequired).toBeUndefined();
    const refused = await armFailure(c.product.update(RG, SVC, 'open', '*', { approvalRequired: true }));
    expect(refused).toMatchObject({ statusCode: 400, code: 'ValidationError' });
  });

  it('manages groups: built-ins listed with custom and external ones, ETags on update and delete', async () => {
    await c.group.createOrUpdate(RG, SVC, 'partners', { displayName: 'Partners', description: 'Fabrikam' });
    const external = await c.group.createOrUpdate(RG, SVC, 'aad-partners', { displayName: 'AAD partners', type: 'external', externalId: 'aad://contoso.onmicrosoft.com/groups/1' });
    expect(external).toMatchObject({ typePropertiesType: 'external', builtIn: false, externalId: 'aad://contoso.onmicrosoft.com/groups/1' });
    const groups = await all(c.group.listByService(RG, SVC));
    expect(groups.map((g) => g.name)).toEqual(['aad-partners', 'administrators', 'developers', 'guests', 'partners']);
    expect(groups.find((g) => g.name === 'developers')).toMatchObject({ builtIn: true, typePropertiesType: 'system' });
    const filtered = await all(c.group.listByService(RG, SVC, { filter: "properties/displayName eq 'Partners'" }));
    expect(filtered.map((g) => g.name)).toEqual(['partners']);
    const { eTag } = await c.group.getEntityTag(RG, SVC, 'partners');
    await c.group.update(RG, SVC, 'partners', eTag as string, { description: 'Fabrikam partners' });
    expect((await armFailure(c.group.update(RG, SVC, 'partners', eTag as string, { description: 'stale' }))).statusCode).toBe(412);
    expect((await c.group.get(RG, SVC, 'partners')).description).toBe('Fabrikam partners');
    expect((await armFailure(c.group.createOrUpdate(RG, SVC, 'bad-type', { displayName: 'x', type: 'system' }))).code).toBe('ValidationError');
    await c.group.delete(RG, SVC, 'aad-partners', '*');
    expect((await armFailure(c.group.get(RG, SVC, 'aad-partners'))).statusCode).toBe(404);
  });

  it('links groups to products through groupLinks and the classic path, one relation seen from both', async () => {
    const link = await c.productGroupLink.createOrUpdate(RG, SVC, 'partner', 'partners-link', { groupId: '/groups/partners' });
    expect(link).toMatchObject({ name: 'partners-link', groupId: `${SERVICE_ID}/groups/partners`, type: 'Microsoft.ApiManagement/service/products/groupLinks' });
    expect((await c.productGroupLink.get(RG, SVC, 'partner', 'partners-link')).groupId).toBe(`${SERVICE_ID}/groups/partners`);
    // A new classic link answers with the group's own id; the product's list names each group under the product.
    const classic = await c.productGroup.createOrUpdate(RG, SVC, 'partner', 'developers');
    expect(classic).toMatchObject({ id: `${SERVICE_ID}/groups/developers`, type: 'Microsoft.ApiManagement/service/products/groups', builtIn: true });
    const listed = await all(c.productGroup.listByProduct(RG, SVC, 'partner'));
    // Administrators is linked by APIM itself when a product is created.
    expect(listed.map((g) => g.id)).toEqual([`${SERVICE_ID}/products/partner/groups/administrators`, `${SERVICE_ID}/products/partner/groups/developers`, `${SERVICE_ID}/products/partner/groups/partners`]);
    await c.productGroup.checkEntityExists(RG, SVC, 'partner', 'partners');
    await c.productGroupLink.delete(RG, SVC, 'partner', 'partners-link');
    expect((await armFailure(c.productGroup.checkEntityExists(RG, SVC, 'partner', 'partners'))).statusCode).toBe(404);
    expect((await armFailure(c.productGroupLink.createOrUpdate(RG, SVC, 'partner', 'ghost-link', { groupId: '/groups/ghost' }))).code).toBe('ValidationError');
  });

  it('reads and deletes product API links and answers a new classic link with the API’s own id', async () => {
    const classic = await c.productApi.createOrUpdate(RG, SVC, 'partner', 'media');
    expect(classic.id).toBe(`${SERVICE_ID}/apis/media`);
    const [link] = await all(c.productApiLink.listByProduct(RG, SVC, 'partner'));
    expect(link.apiId).toBe(`${SERVICE_ID}/apis/media`);
    expect((await c.productApiLink.get(RG, SVC, 'partner', link.name as string)).apiId).toBe(`${SERVICE_ID}/apis/media`);
    const [listed] = await all(c.productApi.listByProduct(RG, SVC, 'partner'));
    expect(listed).toMatchObject({ id: `${SERVICE_ID}/products/partner/apis/media`, type: 'Microsoft.ApiManagement/service/products/apis' });
    const [holder] = await all(c.apiProduct.listByApis(RG, SVC, 'media'));
    expect(holder).toMatchObject({ id: `${SERVICE_ID}/products/partner`, type: 'Microsoft.ApiManagement/service/apis/products' });
    await c.productApiLink.delete(RG, SVC, 'partner', link.name as string);
    expect(await all(c.productApi.listByProduct(RG, SVC, 'partner'))).toEqual([]);
  });

  it('assigns tags to products; an assignment reads as the tag itself, and productLinks see it', async () => {
    await c.tag.createOrUpdate(RG, SVC, 'partner-facing', { displayName: 'Partner facing' });
    const assigned = await c.tag.assignToProduct(RG, SVC, 'partner', 'partner-facing');
    expect(assigned).toMatchObject({ id: `${SERVICE_ID}/tags/partner-facing`, type: 'Microsoft.ApiManagement/service/tags', displayName: 'Partner facing' });
    const onProduct = await all(c.tag.listByProduct(RG, SVC, 'partner'));
    expect(onProduct.map((t) => t.id)).toEqual([`${SERVICE_ID}/tags/partner-facing`]);
    expect((await c.tag.getByProduct(RG, SVC, 'partner', 'partner-facing')).displayName).toBe('Partner facing');
    expect((await c.tag.getEntityStateByProduct(RG, SVC, 'partner', 'partner-facing')).eTag).toBeTruthy();
    const links = await all(c.tagProductLink.listByProduct(RG, SVC, 'partner-facing'));
    expect(links.map((l) => l.productId)).toEqual([`${SERVICE_ID}/products/partner`]);
    await c.tag.detachFromProduct(RG, SVC, 'partner', 'partner-facing');
    expect(await all(c.tag.listByProduct(RG, SVC, 'partner'))).toEqual([]);
    await c.tagProductLink.createOrUpdate(RG, SVC, 'partner-facing', 'partner-link', { productId: '/products/partner' });
    expect((await c.tag.getByProduct(RG, SVC, 'partner', 'partner-facing')).name).toBe('partner-facing');
    await c.tagProductLink.delete(RG, SVC, 'partner-facing', 'partner-link');
    expect((await armFailure(c.tag.getByProduct(RG, SVC, 'partner', 'partner-facing'))).statusCode).toBe(404);
  });

  it('keeps subscription keys out of GET and list, honours ETags, regenerates the secondary key', async () => {
    await c.subscription.createOrUpdate(RG, SVC, 'all-apis', { displayName: 'All APIs', scope: '/apis', primaryKey: 'given-primary-key-0001' });
    await c.subscription.createOrUpdate(RG, SVC, 'media-only', { displayName: 'Media only', scope: `${SERVICE_ID}/apis/media`, state: 'active' });
    const listed = await all(c.subscription.list(RG, SVC));
    expect(listed.map((s) => s.name)).toEqual(['all-apis', 'media-only']);
    expect(listed.every((s) => s.primaryKey === undefined && s.secondaryKey === undefined)).toBe(true);
    expect((await c.subscription.listSecrets(RG, SVC, 'all-apis')).primaryKey).toBe('given-primary-key-0001');
    const before = await c.subscription.listSecrets(RG, SVC, 'media-only');
    await c.subscription.regenerateSecondaryKey(RG, SVC, 'media-only');
    const after = await c.subscription.listSecrets(RG, SVC, 'media-only');
    expect(after).toMatchObject({ primaryKey: before.primaryKey });
    expect(after.secondaryKey).not.toBe(before.secondaryKey);
    const { eTag } = await c.subscription.getEntityTag(RG, SVC, 'media-only');
    const suspended = await c.subscription.update(RG, SVC, 'media-only', eTag as string, { state: 'suspended' });
    expect(suspended.state).toBe('suspended');
    expect((await armFailure(c.subscription.update(RG, SVC, 'media-only', eTag as string, { state: 'active' }))).statusCode).toBe(412);
    // The SDK refuses an unknown state itself; the service must too.
    expect((await raw(h.emulator, 'PATCH', 'subscriptions/media-only', { properties: { state: 'paused' } }, { 'If-Match': '*' })).body.error.code).toBe('ValidationError');
    expect((await armFailure(c.subscription.delete(RG, SVC, 'media-only', eTag as string))).statusCode).toBe(412);
    await c.subscription.delete(RG, SVC, 'media-only', '*');
    expect((await armFailure(c.subscription.listSecrets(RG, SVC, 'media-only'))).statusCode).toBe(404);
  });

  it('stores Key Vault named values without a value, refreshes them, and will not invent their secret', async () => {
    const kv = await c.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'fn-key', {
      displayName: 'fn-key',
      keyVault: { secretIdentifier: 'https://contoso.vault.azure.net/secrets/fn-key', identityClientId: '11111111-1111-1111-1111-111111111111' },
    });
    expect(kv).toMatchObject({ secret: true, keyVault: { identityClientId: '11111111-1111-1111-1111-111111111111' } });
    expect(kv.value).toBeUndefined();
    const refreshed = await c.namedValue.beginRefreshSecretAndWait(RG, SVC, 'fn-key');
    expect(refreshed.keyVault?.lastStatus?.code).toBe('Success');
    expect((await armFailure(c.namedValue.listValue(RG, SVC, 'fn-key'))).statusCode).toBe(400);
    const badVault = await armFailure(c.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'bad-kv', { displayName: 'bad-kv', keyVault: { secretIdentifier: 'http://not-a-vault/x' } }));
    expect(badVault.code).toBe('ValidationError');
    // A named value can be switched from Key Vault to a plain value: the reference is dropped.
    const plain = await c.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'fn-key', { displayName: 'fn-key', value: 'local' });
    expect(plain).toMatchObject({ value: 'local', secret: false });
    expect(plain.keyVault).toBeUndefined();
    expect((await c.namedValue.listValue(RG, SVC, 'fn-key')).value).toBe('local');
    const { eTag } = await c.namedValue.getEntityTag(RG, SVC, 'fn-key');
    await c.namedValue.beginUpdateAndWait(RG, SVC, 'fn-key', eTag as string, { value: 'changed' });
    expect((await armFailure(c.namedValue.beginUpdateAndWait(RG, SVC, 'fn-key', eTag as string, { value: 'stale' }))).statusCode).toBe(412);
  });

  it('reads API version sets and expands them on the APIs that use them', async () => {
    await c.apiVersionSet.createOrUpdate(RG, SVC, 'media-versions', { displayName: 'Media', versioningScheme: 'Query', versionQueryName: 'api-version' });
    const versioned = await c.api.beginCreateOrUpdateAndWait(RG, SVC, 'media-v2', { displayName: 'Media v2', path: 'media-assets', apiVersion: 'v2', apiVersionSetId: '/apiVersionSets/media-versions' });
    expect(versioned.apiVersionSet).toEqual({ id: `${SERVICE_ID}/apiVersionSets/media-versions`, name: 'Media', versioningScheme: 'Query', versionQueryName: 'api-version' });
    const { eTag } = await c.apiVersionSet.getEntityTag(RG, SVC, 'media-versions');
    await c.apiVersionSet.update(RG, SVC, 'media-versions', eTag as string, { displayName: 'Media assets', description: 'All media versions' });
    expect((await c.api.get(RG, SVC, 'media-v2')).apiVersionSet).toMatchObject({ name: 'Media assets', description: 'All media versions' });
    const sets = await all(c.apiVersionSet.listByService(RG, SVC));
    expect(sets.map((s) => [s.name, s.versioningScheme])).toEqual([['media-versions', 'Query']]);
    // What a read returns can be written back as it is: the expansion is not stored.
    const read = await raw(h.emulator, 'GET', 'apis/media-v2');
    expect((await raw(h.emulator, 'PUT', 'apis/media-v2', { properties: read.body.properties }, { 'If-Match': '*' })).status).toBe(200);
    expect((await raw(h.emulator, 'GET', 'apis/media-v2')).body.properties.apiVersionSet.name).toBe('Media assets');
    await c.api.beginDeleteAndWait(RG, SVC, 'media-v2', '*');
    await c.apiVersionSet.delete(RG, SVC, 'media-versions', '*');
  });

  it('names revisions in ids as Azure writes them (`;rev=2`, not escaped)', async () => {
    await c.api.beginCreateOrUpdateAndWait(RG, SVC, 'media;rev=2', { path: 'media', sourceApiId: '/apis/media' });
    const revision = await c.api.get(RG, SVC, 'media;rev=2');
    expect(revision).toMatchObject({ id: `${SERVICE_ID}/apis/media;rev=2`, name: 'media;rev=2', apiRevision: '2', isCurrent: false });
    await c.api.beginDeleteAndWait(RG, SVC, 'media;rev=2', '*');
  });

  it("reads the current revision as `{apiId};rev={n}` (n = the API's apiRevision), and no revision that does not exist", async () => {
    const api = await c.api.get(RG, SVC, 'media');
    expect(api).toMatchObject({ apiRevision: '1', isCurrent: true });
    const current = await c.api.get(RG, SVC, 'media;rev=1');
    expect(current).toEqual({ ...api, id: `${SERVICE_ID}/apis/media;rev=1`, name: 'media;rev=1' });
    expect((await c.api.get(RG, SVC, 'MEDIA;REV=1')).name).toBe('media;rev=1');
    expect((await c.api.getEntityTag(RG, SVC, 'media;rev=1')).eTag).toBe(api.eTag);
    for (const missing of ['media;rev=2', 'media;rev=0', 'ghost;rev=1']) {
      expect((await armFailure(c.api.get(RG, SVC, missing))).statusCode).toBe(404);
      expect((await armFailure(c.api.getEntityTag(RG, SVC, missing))).statusCode).toBe(404);
    }
    // A second revision is read under its own name, and the current one still under the API's revision number.
    await c.api.beginCreateOrUpdateAndWait(RG, SVC, 'media;rev=2', { path: 'media', sourceApiId: '/apis/media' });
    expect(await c.api.get(RG, SVC, 'media;rev=2')).toMatchObject({ name: 'media;rev=2', apiRevision: '2', isCurrent: false });
    expect(await c.api.get(RG, SVC, 'media;rev=1')).toMatchObject({ name: 'media;rev=1', apiRevision: '1', isCurrent: true });
    await c.api.beginDeleteAndWait(RG, SVC, 'media;rev=2', '*');
  });

  it('writes and child paths through `{apiId};rev={current}` act on the API itself; other revision numbers still create revisions', async () => {
    const created = await c.api.beginCreateOrUpdateAndWait(RG, SVC, 'albums', { displayName: 'Albums', path: 'albums' });
    const stale = await armFailure(c.api.beginCreateOrUpdateAndWait(RG, SVC, 'albums;rev=1', { displayName: 'Albums', path: 'albums' }, { ifMatch: '"stale"' }));
    expect(stale.statusCode).toBe(412);
    const replaced = await c.api.beginCreateOrUpdateAndWait(RG, SVC, 'albums;rev=1', { displayName: 'Albums (replaced)', path: 'albums' }, { ifMatch: created.eTag });
    expect(replaced).toMatchObject({ id: `${SERVICE_ID}/apis/albums;rev=1`, name: 'albums;rev=1', apiRevision: '1', isCurrent: true });
    await c.api.update(RG, SVC, 'albums;rev=1', '*', { description: 'Patched through the revision' });
    expect(await c.api.get(RG, SVC, 'albums')).toMatchObject({ name: 'albums', displayName: 'Albums (replaced)', description: 'Patched through the revision', apiRevision: '1', isCurrent: true });
    expect((await all(c.api.listByService(RG, SVC))).filter((a) => a.name?.startsWith('albums')).map((a) => a.name)).toEqual(['albums']);

    await c.apiOperation.createOrUpdate(RG, SVC, 'albums;rev=1', 'list-albums', { displayName: 'List albums', method: 'GET', urlTemplate: '/' });
    await c.apiPolicy.createOrUpdate(RG, SVC, 'albums;rev=1', 'policy', { format: 'rawxml', value: '<policies><inbound><base /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>' });
    expect((await all(c.apiOperation.listByApi(RG, SVC, 'albums'))).map((o) => o.name)).toEqual(['list-albums']);
    expect((await all(c.apiOperation.listByApi(RG, SVC, 'albums;rev=1'))).map((o) => o.name)).toEqual(['list-albums']);
    expect((await c.apiPolicy.getEntityTag(RG, SVC, 'albums', 'policy')).eTag).toBeDefined();

    const revision = await c.api.beginCreateOrUpdateAndWait(RG, SVC, 'albums;rev=2', { path: 'albums', sourceApiId: '/apis/albums' });
    expect(revision).toMatchObject({ name: 'albums;rev=2', apiRevision: '2', isCurrent: false });
    expect((await all(c.apiOperation.listByApi(RG, SVC, 'albums;rev=2'))).map((o) => o.name)).toEqual(['list-albums']);

    // Deleting the current revision deletes the API, its other revisions with it.
    await c.api.beginDeleteAndWait(RG, SVC, 'albums;rev=1', '*');
    for (const gone of ['albums', 'albums;rev=1', 'albums;rev=2']) expect((await armFailure(c.api.get(RG, SVC, gone))).statusCode).toBe(404);
  });

  it('refuses deleting a backend that a policy uses (409) and answers 404 under missing parents', async () => {
    await c.backend.createOrUpdate(RG, SVC, 'media-fn', { url: 'https://media.azurewebsites.net/api', protocol: 'http' });
    await c.apiPolicy.createOrUpdate(RG, SVC, 'media', 'policy', { format: 'rawxml', value: '<policies><inbound><base /><set-backend-service backend-id="media-fn" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>' });
    const blocked = await armFailure(c.backend.delete(RG, SVC, 'media-fn', '*'));
    expect(blocked).toMatchObject({ statusCode: 409, code: 'Conflict' });
    expect(blocked.message).toContain('/apis/media/policies/policy');
    expect((await armFailure(all(c.apiOperation.listByApi(RG, SVC, 'ghost')))).statusCode).toBe(404);
    expect((await armFailure(c.productApi.createOrUpdate(RG, SVC, 'ghost-product', 'media'))).statusCode).toBe(404);
  });

  it('answers a malformed percent-encoding in the path with 400, not an internal error', async () => {
    const response = await raw(h.emulator, 'GET', 'apis/bad%zz');
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('InvalidRequestUri');
  });
});
