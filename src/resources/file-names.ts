import { createHash } from 'crypto';

/**
 * Resource ids ↔ the file and folder names the repository keeps them under. An id APIM accepts may not be a file name
 * every file system takes, or one that reads back as the same id: a named value id may be 256 characters (a name is
 * at most 255 bytes), start with a dot (hidden, and skipped like `.gitkeep`), end with a dot or a space (dropped on
 * Windows), hold `"`, `\` or `|` (refused on Windows), or be Unicode that is not in NFC (macOS file systems
 * normalise names). So a name is the id with those characters written as `%XX` (their UTF-8 bytes; `%` itself is
 * always `%25`), and an id whose name would still be too long is cut and ends in `%~` and a hash of the whole id:
 * then the file (or the folder's definition file) says its `id:`. Every id has exactly one name, so the name of an id
 * is never guessed from the disk and a name that is not the one apiops writes is reported.
 */

/** File systems limit one name (not a path) to 255 bytes: ext4, APFS, NTFS (255 UTF-16 units) alike. */
export const MAX_NAME_BYTES = 255;
/** Marks a shortened name: `%` is otherwise always followed by two hex digits, so no id's full name contains it. */
const SHORTENED_MARK = '%~';
const HASH_HEX_DIGITS = 12;
/** Refused in file names by Windows, or meaningful in paths (`/`), or the escape character itself. */
const ALWAYS_ESCAPED = new Set(['%', '/', '\\', '"', '|', '*', ':', '<', '>', '?']);

function escaped(character: string): string {
  return [...Buffer.from(character, 'utf8')].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

function needsEscape(character: string, index: number, last: number, escapeNonAscii: boolean): boolean {
  const code = character.codePointAt(0)!;
  if (code < 0x20 || code === 0x7f || ALWAYS_ESCAPED.has(character)) return true;
  if (code > 0x7f) return escapeNonAscii;
  return (index === 0 && character === '.') || (index === last && (character === '.' || character === ' '));
}

/** The id's characters, each as written in its name (one entry per code point). */
function nameUnits(id: string): string[] {
  const characters = [...id];
  // Not in NFC: a file system that normalises names would hand back another string, so no literal non-ASCII.
  const escapeNonAscii = id.normalize('NFC') !== id;
  return characters.map((character, index) => (needsEscape(character, index, characters.length - 1, escapeNonAscii) ? escaped(character) : character));
}

function hashOf(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('hex').slice(0, HASH_HEX_DIGITS);
}

export interface FileName {
  /** The name, `suffix` included. */
  name: string;
  /** The name is cut short: the id must be written inside the file. */
  shortened: boolean;
}

/** The name the repository keeps `id` under, e.g. `orders`, `%2Ehidden.yaml`, `aaaa…%~3f9c2a1b7d0e.yaml`. */
export function fileNameOf(id: string, suffix = ''): FileName {
  const units = nameUnits(id);
  const budget = MAX_NAME_BYTES - Buffer.byteLength(suffix, 'utf8');
  const full = units.join('');
  if (Buffer.byteLength(full, 'utf8') <= budget) return { name: full + suffix, shortened: false };
  const tail = `${SHORTENED_MARK}${hashOf(id)}`;
  let prefix = '';
  for (const unit of units) {
    if (Buffer.byteLength(prefix + unit + tail, 'utf8') > budget) break;
    prefix += unit;
  }
  return { name: prefix + tail + suffix, shortened: true };
}

export type ParsedName =
  /** The id the name stands for; `canonical`: the name is exactly fileNameOf(id). */
  | { id: string; canonical: boolean; shortened?: undefined }
  /** A shortened name: the id is in the file. */
  | { shortened: true; id?: undefined };

/**
 * The id a file or folder name (without its suffix) stands for. Names are compared in NFC, as a file system that
 * normalises them may list them in another form. A `%` not starting an escape, or escapes that are not UTF-8, are
 * taken literally (the name is then not canonical).
 */
export function parseFileName(name: string, suffix = ''): ParsedName {
  const normalised = name.normalize('NFC');
  const stem = normalised.endsWith(suffix) ? normalised.slice(0, normalised.length - suffix.length) : normalised;
  if (stem.includes(SHORTENED_MARK)) return { shortened: true };
  let id: string;
  try {
    id = decodeURIComponent(stem.replace(/%(?![0-9A-Fa-f]{2})/g, '%25'));
  } catch {
    id = stem;
  }
  return { id, canonical: fileNameOf(id, suffix).name === normalised };
}

/** Whether `name` is the name of `id` (as a file system may list it: compared in NFC). */
export function isFileNameOf(name: string, id: string, suffix = ''): boolean {
  return fileNameOf(id, suffix).name === name.normalize('NFC');
}
