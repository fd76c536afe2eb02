import * as fs from 'fs';
import * as path from 'path';
import type { Finding } from '../diagnostics';

/** Larger files are refused: no repository file is legitimately this big, and reading one would stall validate. */
const MAX_FILE_BYTES = 8 * 1024 * 1024;
/** How far to look for a NUL byte when telling binary files from text (git uses the same heuristic). */
const BINARY_SNIFF_BYTES = 8000;

export type TextFileResult = { text: string; finding?: undefined } | { text?: undefined; finding: Finding };

export function schemaFinding(file: string, message: string, line = 1, column = 1): Finding {
  return { rule: 'schema', severity: 'error', file, line, column, message };
}

/** The string offset of a line and column (1-based). */
export function offsetOfPosition(text: string, line: number, column: number): number {
  let offset = 0;
  for (let at = 1; at < line; at++) {
    const lineBreak = text.indexOf('\n', offset);
    if (lineBreak < 0) return text.length;
    offset = lineBreak + 1;
  }
  return Math.min(offset + column - 1, text.length);
}

/** Line and column (1-based) of a string offset. */
export function positionOfOffset(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Reads a repository file as UTF-8 text, turning every way a file can be unusable (missing, too large, binary,
 * not UTF-8, empty) into a finding that names it, so one bad file never stops the others from being checked.
 */
export function readTextFile(root: string, file: string): TextFileResult {
  let bytes: Buffer;
  try {
    const stat = fs.statSync(path.join(root, file));
    if (!stat.isFile()) return { finding: schemaFinding(file, 'not a regular file') };
    const size = stat.size;
    if (size > MAX_FILE_BYTES) return { finding: schemaFinding(file, `file is too large (${size} bytes; limit ${MAX_FILE_BYTES})`) };
    bytes = fs.readFileSync(path.join(root, file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { finding: schemaFinding(file, code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? String(error)})`) };
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { finding: schemaFinding(file, 'UTF-16 text (byte order mark); save the file as UTF-8') };
  }
  const nul = bytes.subarray(0, BINARY_SNIFF_BYTES).indexOf(0);
  if (nul !== -1) return { finding: schemaFinding(file, `binary content (NUL byte at offset ${nul}); expected UTF-8 text`) };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    // The lossy decoding marks the first bad sequence with U+FFFD, which locates it for the message.
    const lossy = bytes.toString('utf8');
    const { line, column } = positionOfOffset(lossy, Math.max(0, lossy.indexOf('\uFFFD')));
    return { finding: schemaFinding(file, 'invalid UTF-8 (the file must be UTF-8 text)', line, column) };
  }
  if (text.trim() === '') return { finding: schemaFinding(file, 'empty file') };
  return { text };
}

/** Sorted names of the entries of a directory that are not hidden (`.gitkeep`, `.DS_Store`…); [] when absent. */
export function listDir(dir: string, want: 'file' | 'directory'): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const kindOf = (entry: fs.Dirent): 'file' | 'directory' | undefined => {
    // A symbolic link counts as what it points to; a dangling one as a file, so reading it reports the problem.
    let target: fs.Dirent | fs.Stats = entry;
    if (entry.isSymbolicLink()) {
      try {
        target = fs.statSync(path.join(dir, entry.name));
      } catch {
        return 'file';
      }
    }
    return target.isDirectory() ? 'directory' : target.isFile() ? 'file' : undefined;
  };
  return entries
    .filter((e) => !e.name.startsWith('.') && kindOf(e) === want)
    .map((e) => e.name)
    .sort();
}
