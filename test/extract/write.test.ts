import * as fs from 'fs';
import * as path from 'path';
import { writeRepository } from '../../src/extract/write';
import { snapshot, TemporaryDirs } from './files';

const temporary = new TemporaryDirs('apiops-extract-write');
afterAll(() => temporary.removeAll());

describe('writing the extracted repository', () => {
  it('writes only files whose bytes change and removes stale files with the folders they leave empty', () => {
    const root = temporary.create();
    writeRepository(root, new Map([['apis/a/api.yaml', 'a\n'], ['apis/b/operations/x.xml', 'x\n'], ['apis/b/api.yaml', 'b\n']]), []);
    const outcome = writeRepository(root, new Map([['apis/a/api.yaml', 'a\n'], ['apis/b/api.yaml', 'b2\n']]), ['apis/b/operations/x.xml']);
    expect(outcome).toEqual({ written: ['apis/b/api.yaml'], unchanged: ['apis/a/api.yaml'], removed: ['apis/b/operations/x.xml'] });
    expect(snapshot(root)).toEqual(new Map([['apis/a/api.yaml', 'a\n'], ['apis/b/api.yaml', 'b2\n']]));
    expect(fs.existsSync(path.join(root, 'apis/b/operations'))).toBe(false);
  });

  it('refuses ids that would lead out of the repository, before writing anything', () => {
    const root = temporary.create();
    expect(() => writeRepository(root, new Map([['apis/a/api.yaml', 'a\n'], ['apis/../../escaped.yaml', 'x\n']]), [])).toThrow(
      'refusing to write outside the repository: apis/../../escaped.yaml',
    );
    expect(snapshot(root).size).toBe(0);
  });
});
