import type { LiveResource } from '../../src/azure/live-state';
import { policyReferences, referencedKinds, selectReferenced } from '../../src/extract/references';
import type { ResourceKind } from '../../src/resources/types';

const live = (kind: ResourceKind, ids: string[], properties: Record<string, unknown>): LiveResource => ({ ref: { kind, ids }, properties });

describe('what a selection references', () => {
  it('follows fragments and backends to named values, matching names case-insensitively as APIM does', () => {
    const apiPolicy = live('apiPolicy', ['orders'], {
      format: 'rawxml',
      value: '<policies><inbound><include-fragment fragment-id="Forward" /><set-header name="a" exists-action="override"><value>{{Backend.Audience}}</value></set-header></inbound></policies>',
    });
    const service = [
      live('policyFragment', ['forward'], { format: 'xml', value: '<fragment><set-backend-service backend-id="FUNCTIONS" /></fragment>' }),
      live('backend', ['functions'], { url: 'https://f.example.net', protocol: 'http', credentials: { header: { 'x-key': ['{{Functions-Key}}'] } } }),
      live('namedValue', ['audience'], { displayName: 'backend.audience', value: 'api://x' }),
      live('namedValue', ['functions-key'], { displayName: 'functions-key', secret: true }),
      live('namedValue', ['unused'], { displayName: 'unused', value: 'x' }),
    ];
    const references = policyReferences([apiPolicy]);
    expect(referencedKinds(references)).toEqual(['policyFragment', 'backend', 'namedValue']);
    expect(selectReferenced(references, service).map((resource) => resource.ref.ids[0]).sort()).toEqual(['audience', 'forward', 'functions', 'functions-key']);
  });
});
