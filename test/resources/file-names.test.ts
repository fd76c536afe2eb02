import { fileNameOf, isFileNameOf, MAX_NAME_BYTES, parseFileName } from '../../src/resources/file-names';
import { seededRandom } from '../../src/emulator/random';

/** Ids APIM accepts that a plain `<id>.yaml` would not keep: each must get a name that fits and reads back as the id. */
const AWKWARD_IDS = [
  'orders',
  '.hidden',
  '..',
  '.',
  'trailing.',
  'trailing ',
  '50%off',
  '%2E',
  'pipe|quote"back\\slash',
  'Mixed-Case',
  'café-ünïcode',
  'cafe\u0301-not-nfc',
  '東京-api',
  '😀'.repeat(40),
  'n'.repeat(256),
  'é'.repeat(256),
  'e\u0301'.repeat(128),
  `${'x'.repeat(240)}%~0123456789ab`,
];

const bytes = (name: string): number => Buffer.byteLength(name, 'utf8');

describe('file names of ids', () => {
  it.each(['', '.yaml', '.xml'])('gives every id a name that fits, is not hidden and reads back as the id (suffix %j)', (suffix) => {
    for (const id of AWKWARD_IDS) {
      const { name, shortened } = fileNameOf(id, suffix);
      expect({ id, fits: bytes(name) <= MAX_NAME_BYTES, hidden: name.startsWith('.'), trailing: /[. ]$/.test(name.slice(0, name.length - suffix.length)) }).toEqual({
        id,
        fits: true,
        hidden: false,
        trailing: false,
      });
      expect(name.endsWith(suffix)).toBe(true);
      expect(/[/\\:*?"<>|\u0000-\u001f]/.test(name)).toBe(false);
      if (shortened) expect(parseFileName(name, suffix)).toEqual({ shortened: true });
      else expect(parseFileName(name, suffix)).toEqual({ id, canonical: true });
      expect(isFileNameOf(name, id, suffix)).toBe(true);
    }
  });

  it('keeps plain ids as they are and escapes only what a file system would not keep', () => {
    expect(fileNameOf('orders-api', '.yaml')).toEqual({ name: 'orders-api.yaml', shortened: false });
    expect(fileNameOf('.hidden', '.yaml').name).toBe('%2Ehidden.yaml');
    expect(fileNameOf('..').name).toBe('%2E%2E');
    expect(fileNameOf('50%off').name).toBe('50%25off');
    expect(fileNameOf('a|b"c\\d').name).toBe('a%7Cb%22c%5Cd');
    expect(fileNameOf('café').name).toBe('café');
    expect(fileNameOf('cafe\u0301').name).toBe('cafe%CC%81');
    expect(fileNameOf('../apiops.config', '.yaml').name).toBe('%2E.%2Fapiops.config.yaml');
  });

  it('shortens a name that would be too long, keeping a readable prefix and a hash of the whole id', () => {
    const long = fileNameOf(`setting-${'x'.repeat(248)}`, '.yaml');
    expect(long.shortened).toBe(true);
    expect(long.name).toMatch(/^setting-x+%~[0-9a-f]{12}\.yaml$/);
    expect(bytes(long.name)).toBeLessThanOrEqual(MAX_NAME_BYTES);
    // Ids that share the first 255 bytes still get names of their own.
    expect(fileNameOf(`${'x'.repeat(255)}a`).name).not.toBe(fileNameOf(`${'x'.repeat(255)}b`).name);
    // An id that happens to look like a shortened name is escaped, so it is never taken for one.
    expect(fileNameOf('x%~0123456789ab').name).toBe('x%25~0123456789ab');
  });

  it('reads a name the way a normalising file system (macOS) lists it, and reports names apiops would not write', () => {
    expect(parseFileName('cafe\u0301.yaml', '.yaml')).toEqual({ id: 'café', canonical: true });
    expect(parseFileName('%2ehidden.yaml', '.yaml')).toEqual({ id: '.hidden', canonical: false });
    expect(parseFileName('50%off.yaml', '.yaml')).toEqual({ id: '50%off', canonical: false });
    expect(parseFileName('%FF.yaml', '.yaml')).toEqual({ id: '%FF', canonical: false });
    expect(parseFileName('%41pi', '')).toEqual({ id: 'Api', canonical: false });
  });

  it('round-trips random ids of every length APIM allows', () => {
    const random = seededRandom(11);
    const alphabet = ['a', 'Z', '0', '-', '.', ' ', '%', '~', '|', '"', '\\', 'é', 'e\u0301', '東', '😀', '\u0007'];
    for (let run = 0; run < 2000; run++) {
      const length = 1 + Math.floor(random() * 256);
      let id = '';
      while (id.length < length) id += alphabet[Math.floor(random() * alphabet.length)];
      for (const suffix of ['', '.yaml']) {
        const { name, shortened } = fileNameOf(id, suffix);
        expect(bytes(name)).toBeLessThanOrEqual(MAX_NAME_BYTES);
        expect(name.startsWith('.')).toBe(false);
        if (!shortened) expect(parseFileName(name, suffix)).toEqual({ id, canonical: true });
      }
    }
  });
});
