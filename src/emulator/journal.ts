import * as fs from 'node:fs';
import { promisify } from 'node:util';

const write = promisify(fs.write);
const fdatasync = promisify(fs.fdatasync);
const close = promisify(fs.close);

/**
 * An append-only file of lines, written with group commit: lines appended while a write is under way wait, and the
 * next write takes them all (one write, one fdatasync), so concurrent requests share the cost of making their changes
 * durable instead of queueing one fsync each.
 */
export class Journal {
  private pending: string[] = [];
  private appended = 0;
  private committed = 0;
  private writing: Promise<void> | undefined;
  private failure: Error | undefined;
  /** Bytes in the file, including those appended but not yet written. */
  size: number;
  /** Writes (each one fdatasync) so far: fewer than the lines when concurrent appends were batched. */
  batches = 0;

  private constructor(
    readonly file: string,
    private readonly fd: number,
  ) {
    this.size = fs.fstatSync(fd).size;
  }

  /** Opens (creating it, mode 0600) the journal for appending. */
  static open(file: string): Journal {
    return new Journal(file, fs.openSync(file, 'a', 0o600));
  }

  append(line: string): void {
    this.pending.push(line);
    this.appended += 1;
    this.size += Buffer.byteLength(line);
  }

  /** Resolves once every line appended so far is on disk; rejects if a write failed. */
  async durable(): Promise<void> {
    const target = this.appended;
    while (this.committed < target) {
      if (this.failure) throw this.failure;
      this.writing ??= this.writeBatch().finally(() => (this.writing = undefined));
      await this.writing;
    }
    if (this.failure) throw this.failure;
  }

  private async writeBatch(): Promise<void> {
    const upTo = this.appended;
    const data = Buffer.from(this.pending.splice(0).join(''));
    try {
      for (let offset = 0; offset < data.length; ) offset += (await write(this.fd, data, offset, data.length - offset)).bytesWritten;
      await fdatasync(this.fd);
      this.batches += 1;
      this.committed = upTo;
    } catch (error) {
      this.failure = error as Error;
    }
  }

  /** Writes what is pending and closes the file. */
  async close(): Promise<void> {
    try {
      await this.durable();
    } finally {
      await close(this.fd);
    }
  }
}

/** The lines of a journal file that were written whole: a last line without its newline is a write that never finished. */
export function journalLines(text: string): string[] {
  const lines = text.split('\n');
  lines.pop();
  return lines.filter((line) => line !== '');
}
