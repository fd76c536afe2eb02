import * as fs from 'fs';
import * as path from 'path';
import { makeRepo, removeRepo } from '../fixtures/repo';
import type * as Loader from '../../src/repo/loader';
import type * as ResourceTypes from '../../src/resources/types';

/** The `must be a folder` findings of a repository in which each of `files` is a file where a folder may belong. */
function folderFindings(loadRepository: typeof Loader.loadRepository, files: string[]): string[] {
  const root = makeRepo();
  try {
    for (const file of files) {
      fs.rmSync(path.join(root, file), { recursive: true, force: true });
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), 'x: 1\n');
    }
    return loadRepository(root)
      .findings.filter((finding) => finding.message.endsWith('must be a folder'))
      .map((finding) => finding.file)
      .sort();
  } finally {
    removeRepo(root);
  }
}

describe('the folders resources are kept in', () => {
  it("reports a file where a managed resource type's folder belongs, placeholders filled with the folders that exist", () => {
    const { loadRepository } = jest.requireActual<typeof Loader>('../../src/repo/loader');
    for (const folder of ['named-values', 'backends', 'policies/fragments', 'apis/orders/operations']) {
      expect(folderFindings(loadRepository, [folder])).toEqual([folder]);
    }
    expect(folderFindings(loadRepository, ['policies', 'products', 'apis'])).toEqual(['apis', 'policies', 'products']);
  });

  it("takes them from each managed type's repoPath, so a new resource type's folder is checked too", () => {
    jest.isolateModules(() => {
      jest.doMock('../../src/resources/types', () => {
        const actual = jest.requireActual<typeof ResourceTypes>('../../src/resources/types');
        const gateway = { kind: 'gateway', armPath: 'gateways/{gatewayId}', keys: ['gatewayId'], references: [], repoPath: 'gateways/{gatewayId}/hostnames/{hostnameId}.yaml', managed: true };
        const unmanaged = { kind: 'certificate', armPath: 'certificates/{certificateId}', keys: ['certificateId'], references: [], repoPath: 'certificates/{certificateId}.yaml', managed: false };
        return { ...actual, RESOURCE_TYPES: [...actual.RESOURCE_TYPES, gateway, unmanaged] };
      });
      const { loadRepository } = jest.requireActual<typeof Loader>('../../src/repo/loader');
      expect(folderFindings(loadRepository, ['gateways/west/hostnames', 'certificates'])).toEqual(['gateways/west/hostnames']);
      expect(folderFindings(loadRepository, ['gateways'])).toEqual(['gateways']);
    });
  });
});
