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

describe('writing the extracted repository: all or nothing, never through a symbolic link', () => {
  const seedRepository = (): string => {
    const root = temporary.create('atomic');
    writeRepository(root, new Map([['apiops.config.yaml', 'environments: {}\n'], ['apis/a/api.yaml', 'a\n'], ['named-values/old.yaml', 'old\n']]), []);
    return root;
  };

  it('leaves the repository as it was when a file fails part-way: replaced files back, new files and folders gone', () => {
    const root = seedRepository();
    const before = snapshot(root);
    // Sorted last, so every other file has been moved into place when the file system refuses the name.
    const tooLong = `named-values/${'z'.repeat(300)}.yaml`;
    const files = new Map([['apis/a/api.yaml', 'a2\n'], ['apis/b/api.yaml', 'b\n'], ['apis/b/operations/x.xml', 'x\n'], [tooLong, 'long\n']]);
    expect(() => writeRepository(root, files, ['named-values/old.yaml'])).toThrow(/^cannot write named-values\/z+\.yaml: ENAMETOOLONG.*; nothing was changed$/);
    expect(snapshot(root)).toEqual(before);
    expect(fs.readdirSync(root).sort()).toEqual(['apiops.config.yaml', 'apis', 'named-values']);
    expect(fs.readdirSync(path.join(root, 'apis'))).toEqual(['a']);
  });

  it('removes a new output folder again when writing into it fails', () => {
    const parent = temporary.create('fresh');
    const out = path.join(parent, 'new', 'repo');
    expect(() => writeRepository(out, new Map([['a.yaml', 'a\n'], [`${'z'.repeat(300)}.yaml`, 'z\n']]), [])).toThrow(/ENAMETOOLONG/);
    expect(fs.readdirSync(parent)).toEqual([]);
  });

  it('refuses a folder on the way that is a symbolic link, writing nothing inside or outside the repository', () => {
    const root = seedRepository();
    const outside = temporary.create('outside');
    fs.writeFileSync(path.join(outside, 'victim.yaml'), 'theirs\n');
    fs.symlinkSync(outside, path.join(root, 'backends'));
    const before = snapshot(root);
    expect(() => writeRepository(root, new Map([['apis/a/api.yaml', 'a2\n'], ['backends/victim.yaml', 'mine\n']]), [])).toThrow(
      'refusing to write backends/victim.yaml: backends is a symbolic link (extract never writes through one; remove it or extract into another folder)\nnothing was written',
    );
    expect(() => writeRepository(root, new Map(), ['backends/victim.yaml'])).toThrow('backends is a symbolic link');
    expect(snapshot(root)).toEqual(before);
    expect(snapshot(outside)).toEqual(new Map([['victim.yaml', 'theirs\n']]));
  });

  it('refuses to replace a file that is a symbolic link, and a folder where a file goes', () => {
    const root = seedRepository();
    const outside = path.join(temporary.create('outside'), 'target.xml');
    fs.writeFileSync(outside, 'theirs\n');
    fs.symlinkSync(outside, path.join(root, 'apis/a/policy.xml'));
    fs.mkdirSync(path.join(root, 'apis/a/operations/get.xml'), { recursive: true });
    expect(() => writeRepository(root, new Map([['apis/a/policy.xml', 'mine\n'], ['apis/a/operations/get.xml', 'op\n']]), [])).toThrow(
      'refusing to write apis/a/operations/get.xml: it exists and is not a regular file\nrefusing to write apis/a/policy.xml: apis/a/policy.xml is a symbolic link',
    );
    expect(fs.readFileSync(outside, 'utf8')).toBe('theirs\n');
  });

  it('refuses two files that are one where letter case is ignored', () => {
    const root = seedRepository();
    expect(() => writeRepository(root, new Map([['named-values/Key.yaml', '1\n'], ['named-values/key.yaml', '2\n']]), [])).toThrow(
      'refusing to write both named-values/Key.yaml and named-values/key.yaml: one file where letter case is ignored',
    );
  });

  it('leaves no staging folder behind', () => {
    const root = seedRepository();
    writeRepository(root, new Map([['apis/a/api.yaml', 'a3\n']]), ['named-values/old.yaml']);
    expect(fs.readdirSync(root).sort()).toEqual(['apiops.config.yaml', 'apis']);
  });
});
