import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ServiceScope } from '../azure/client';
import { UserError } from '../diagnostics';
import { Journal, journalLines } from './journal';
import { openSealer, type Sealer } from './sealing';

/**
 * The emulator's state: one ServiceState per subscription/resource group/service, each a set of collections
 * (`apis`, `apis/echo-api/operations`, …) of entities. Names are case-insensitive as in ARM (keys are
 * lowercased; the entity keeps the case it was created with).
 *
 * Persistence is as durable as Azure's: a request is answered only once what it changed is on disk. Every mutation is
 * appended to a journal (one JSON line: the entity as stored, or the deletion); mutations made while a journal write
 * is under way are written together by the next one (group commit: one write and one fsync for the whole batch), and
 * the server awaits `durable()` before it answers. State files (one per service, written to a temp file, fsynced and
 * renamed over the old one) are checkpoints: when the journal grows past JOURNAL_LIMIT_BYTES, a new journal is started,
 * every service written, and the old journal removed; at start-up the checkpoints are read and the journals replayed
 * over them (a torn last line, never acknowledged, is dropped). Replaying a journal over a checkpoint that already holds
 * its mutations leaves the same state: each line says what an entity is, not what changed.
 *
 * ETags are never reissued for other content: each start of the emulator on a directory takes the next epoch (kept in
 * EPOCH_FILE, fsynced before anything is served), and an ETag is the epoch and a counter, so one handed out before a
 * crash (even for a change that was lost) cannot come back.
 */

export interface Entity {
  name: string;
  properties: Record<string, unknown>;
  etag: string;
  /** What the service keeps but never returns as such (stored policies in both forms). */
  hidden?: Record<string, unknown>;
  /** Secret values (named-value secrets, subscription keys): returned only by list actions, persisted encrypted. */
  secrets?: Record<string, string>;
}

/** An entity as a state file holds it: secrets sealed (see sealing.ts). */
interface SerializedEntity extends Omit<Entity, 'secrets'> {
  sealed?: string;
}

interface SerializedService {
  scope: ServiceScope;
  etagCounter: number;
  collections: Record<string, SerializedEntity[]>;
}

const lower = (text: string): string => text.toLowerCase();

/** One journal line: a service provisioned, an entity as stored (secrets sealed), or an entity deleted. */
type JournalRecord =
  | { op: 'service'; scope: ServiceScope }
  | { op: 'put'; service: string; collection: string; entity: SerializedEntity; etagCounter: number }
  | { op: 'delete'; service: string; collection: string; name: string };

/** Where a service's mutations go: the journal (with a data directory) or nowhere (in memory). */
interface MutationLog {
  put(service: ServiceState, collection: string, entity: Entity): void;
  delete(service: ServiceState, collection: string, name: string): void;
}

export class ServiceState {
  private readonly collections = new Map<string, Map<string, Entity>>();
  /** list()'s answers, kept until their collection changes: a product's API links are listed for every link written. */
  private readonly sortedLists = new Map<string, Entity[]>();
  private etagCounter = 0;

  constructor(
    readonly scope: ServiceScope,
    private readonly log: MutationLog,
    private readonly epoch: number,
  ) {}

  get(collection: string, name: string): Entity | undefined {
    return this.collections.get(lower(collection))?.get(lower(name));
  }

  /** A collection's entities ordered by name, so pages are stable whatever the order of writes. */
  list(collection: string): Entity[] {
    const key = lower(collection);
    let sorted = this.sortedLists.get(key);
    if (!sorted) {
      const entities = this.collections.get(key);
      if (!entities) return [];
      sorted = [...entities.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, entity]) => entity);
      this.sortedLists.set(key, sorted);
    }
    return [...sorted];
  }

  /** Creates or replaces an entity; its name keeps the case of its first creation. */
  put(collection: string, name: string, properties: Record<string, unknown>, hidden?: Record<string, unknown>, secrets?: Record<string, string>): { entity: Entity; created: boolean } {
    const existing = this.get(collection, name);
    const entity: Entity = { name: existing?.name ?? name, properties, etag: this.nextEtag() };
    if (hidden && Object.keys(hidden).length) entity.hidden = hidden;
    if (secrets && Object.keys(secrets).length) entity.secrets = secrets;
    this.store(collection, entity);
    this.log.put(this, lower(collection), entity);
    return { entity, created: !existing };
  }

  /** Deletes an entity and every collection nested under it (an API's operations, policies, links…). */
  delete(collection: string, name: string): Entity | undefined {
    const existing = this.get(collection, name);
    if (!existing) return undefined;
    this.remove(collection, name);
    this.log.delete(this, lower(collection), name);
    return existing;
  }

  private store(collection: string, entity: Entity): void {
    const key = lower(collection);
    this.sortedLists.delete(key);
    let entities = this.collections.get(key);
    if (!entities) {
      entities = new Map();
      this.collections.set(key, entities);
    }
    entities.set(lower(entity.name), entity);
  }

  private remove(collection: string, name: string): void {
    this.collections.get(lower(collection))?.delete(lower(name));
    this.sortedLists.delete(lower(collection));
    const nested = `${lower(collection)}/${lower(name)}/`;
    for (const key of [...this.collections.keys()]) if (key.startsWith(nested)) this.collections.delete(key);
    for (const key of [...this.sortedLists.keys()]) if (key.startsWith(nested)) this.sortedLists.delete(key);
  }

  /** Replays a journal line (see EmulatorStore): the entity as it was stored, or its deletion. */
  replay(record: JournalRecord, sealer: Sealer, file: string): void {
    if (record.op === 'put') {
      this.store(record.collection, restoreEntity(record.entity, sealer, file));
      this.etagCounter = Math.max(this.etagCounter, record.etagCounter);
    } else if (record.op === 'delete') {
      this.remove(record.collection, record.name);
    }
  }

  get currentEtagCounter(): number {
    return this.etagCounter;
  }

  /** Every collection whose path matches `pattern` (segments, `*` for any one segment), with its entities. */
  *collectionsMatching(pattern: string): Iterable<{ collection: string; entities: Entity[] }> {
    const wanted = lower(pattern).split('/');
    for (const [key, entities] of this.collections) {
      const segments = key.split('/');
      if (segments.length === wanted.length && wanted.every((w, i) => w === '*' || w === segments[i])) {
        yield { collection: key, entities: [...entities.values()] };
      }
    }
  }

  /** The epoch of this run (high 32 bits) and a counter: unique across restarts on the same directory. */
  private nextEtag(): string {
    this.etagCounter += 1;
    const bytes = Buffer.alloc(8);
    bytes.writeBigUInt64BE((BigInt(this.epoch) << 32n) + BigInt(this.etagCounter));
    return bytes.toString('base64');
  }

  serialize(sealer: Sealer): SerializedService {
    const collections: Record<string, SerializedEntity[]> = {};
    for (const [key, entities] of this.collections) {
      if (!entities.size) continue;
      collections[key] = [...entities.values()].map((entity) => serializeEntity(entity, sealer));
    }
    return { scope: this.scope, etagCounter: this.etagCounter, collections };
  }

  restore(data: SerializedService, sealer: Sealer, file: string): void {
    this.etagCounter = data.etagCounter;
    this.sortedLists.clear();
    for (const [key, entities] of Object.entries(data.collections)) {
      this.collections.set(key, new Map(entities.map((e) => [lower(e.name), restoreEntity(e, sealer, file)])));
    }
  }
}

function serializeEntity({ secrets, ...entity }: Entity, sealer: Sealer): SerializedEntity {
  return secrets ? { ...entity, sealed: sealer.seal(secrets) } : entity;
}

function restoreEntity({ sealed, ...entity }: SerializedEntity, sealer: Sealer, file: string): Entity {
  return sealed === undefined ? entity : { ...entity, secrets: sealer.unseal(sealed, file) };
}

function readServiceFile(file: string): SerializedService {
  let data: Partial<SerializedService>;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`${file}: not a readable emulator state file (${(error as Error).message})`);
  }
  if (!data || typeof data !== 'object' || !data.scope || typeof data.collections !== 'object') {
    throw new UserError(`${file}: not an emulator state file (no scope or collections)`);
  }
  return data as SerializedService;
}

export function serviceKey(scope: ServiceScope): string {
  return lower(`${scope.subscriptionId}/${scope.resourceGroup}/${scope.serviceName}`);
}

function serviceFileName(key: string): string {
  return `${encodeURIComponent(key).replace(/%2F/g, '~')}.json`;
}

/**
 * A journal this long is folded into the state files (a checkpoint) and started afresh: replaying it at start-up, and
 * the disk it takes, stay bounded, while a publish of hundreds of resources writes only journal lines.
 */
const JOURNAL_LIMIT_BYTES = 16 * 1024 * 1024;
const JOURNAL_FILE = /^journal\.(\d+)\.log$/;
const journalFile = (dataDir: string, sequence: number): string => path.join(dataDir, `journal.${sequence}.log`);
const EPOCH_FILE = 'emulator.epoch';

const LOCK_FILE = 'emulator.lock';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Each emulator keeps the whole state in memory and writes it back, so two of them on one directory (a running
 * `apiops emulator --data DIR` and a command whose target is `{ emulator: DIR }`) would silently overwrite each
 * other's changes: the second is refused. A lock left by a process that no longer runs is taken over.
 */
function acquireLock(dataDir: string): () => void {
  const file = path.join(dataDir, LOCK_FILE);
  for (;;) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
    if (Number.isInteger(holder) && processAlive(holder)) {
      throw new UserError(`${dataDir} is in use by another emulator (process ${holder}${holder === process.pid ? ', this one' : ''}); stop it or use another data directory`);
    }
    fs.rmSync(file, { force: true });
  }
}

/** A state file being written: `<file>.<pid of the writer>.tmp`, renamed over `<file>` once complete. */
const tempFileOf = (file: string): string => `${file}.${process.pid}.tmp`;
const TEMP_FILE_WRITER = /\.(\d+)\.tmp$/;

/**
 * An emulator killed while writing leaves its temp file (a torn or superseded copy of the state; the state file
 * itself stays whole). With the lock held, such files are abandoned and removed, except those of a process that
 * still runs (one whose lock was deleted by hand may still be writing). A file with this process's own id is from an
 * earlier process that had the same id: no other store of this process can hold the lock we hold.
 */
function removeAbandonedTempFiles(dataDir: string): void {
  for (const file of fs.readdirSync(dataDir)) {
    const writer = TEMP_FILE_WRITER.exec(file)?.[1];
    if (writer === undefined) continue;
    const pid = Number(writer);
    if (pid !== process.pid && processAlive(pid)) continue;
    fs.rmSync(path.join(dataDir, file), { force: true });
  }
}

/** Writes `text` to `file` so that a crash leaves the old or the new content: temp file, fsync, rename, fsync the directory. */
function writeFileDurably(file: string, text: string): void {
  const temp = tempFileOf(file);
  const fd = fs.openSync(temp, 'w', 0o600);
  try {
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, file);
  syncDirectory(path.dirname(file));
}

/** Makes a rename or an unlink in `dir` durable (where the platform can open a directory). */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Windows cannot fsync a directory; its renames are durable once they return.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** The epoch of this run: one more than the last run's, on disk before any ETag of it is handed out. */
function nextEpoch(dataDir: string): number {
  const file = path.join(dataDir, EPOCH_FILE);
  const last = fs.existsSync(file) ? Number.parseInt(fs.readFileSync(file, 'utf8'), 10) : 0;
  if (!Number.isInteger(last) || last < 0 || last >= 0xffffffff) throw new UserError(`${file}: not an emulator epoch file (delete it only together with the whole directory)`);
  writeFileDurably(file, `${last + 1}\n`);
  return last + 1;
}

function parseRecord(line: string, file: string, lineNumber: number): JournalRecord {
  try {
    const record = JSON.parse(line) as JournalRecord;
    if (record && typeof record === 'object' && ['service', 'put', 'delete'].includes(record.op)) return record;
  } catch {
    // reported below
  }
  throw new UserError(`${file}:${lineNumber}: not an emulator journal line`);
}

export class EmulatorStore {
  private readonly services = new Map<string, ServiceState>();
  /** Services changed since their state file was last written. */
  private readonly dirty = new Set<ServiceState>();
  /** The journal new mutations go to, and older ones still being retired by a checkpoint. */
  private journal: Journal | undefined;
  private readonly journals = new Set<Journal>();
  private journalSequence = 0;
  private checkpointing: Promise<void> | undefined;
  private readonly log: MutationLog;

  private constructor(
    private readonly dataDir: string | undefined,
    private readonly provision: (service: ServiceState) => void,
    private readonly sealer: Sealer | undefined,
    private readonly unlock: () => void,
    private readonly epoch: number,
  ) {
    this.log = dataDir
      ? {
          put: (service, collection, entity) =>
            this.record(service, { op: 'put', service: serviceKey(service.scope), collection, entity: serializeEntity(entity, this.sealer as Sealer), etagCounter: service.currentEtagCounter }),
          delete: (service, collection, name) => this.record(service, { op: 'delete', service: serviceKey(service.scope), collection, name }),
        }
      : { put: () => undefined, delete: () => undefined };
  }

  /**
   * Opens a store: in memory without `dataDir`; otherwise its state files are read and its journals replayed over
   * them, the result written back as state files, and a new journal started.
   */
  static open(dataDir: string | undefined, provision: (service: ServiceState) => void): EmulatorStore {
    if (!dataDir) return new EmulatorStore(undefined, provision, undefined, () => undefined, 0);
    fs.mkdirSync(dataDir, { recursive: true });
    const unlock = acquireLock(dataDir);
    try {
      removeAbandonedTempFiles(dataDir);
      const sealer = openSealer(dataDir);
      const store = new EmulatorStore(dataDir, provision, sealer, unlock, nextEpoch(dataDir));
      const files = fs.readdirSync(dataDir);
      for (const file of files) {
        if (!file.endsWith('.json')) continue;
        const data = readServiceFile(path.join(dataDir, file));
        const service = new ServiceState(data.scope, store.log, store.epoch);
        service.restore(data, sealer, path.join(dataDir, file));
        store.services.set(serviceKey(data.scope), service);
      }
      const journals = files.flatMap((file) => {
        const sequence = JOURNAL_FILE.exec(file)?.[1];
        return sequence === undefined ? [] : [Number(sequence)];
      });
      journals.sort((a, b) => a - b);
      for (const sequence of journals) store.replay(journalFile(dataDir, sequence), sealer);
      if (journals.length) {
        store.writeStateFiles();
        for (const sequence of journals) fs.rmSync(journalFile(dataDir, sequence));
        syncDirectory(dataDir);
      }
      store.journalSequence = (journals[journals.length - 1] ?? 0) + 1;
      store.startJournal();
      return store;
    } catch (error) {
      unlock();
      throw error;
    }
  }

  /** The service at this scope, provisioned (with Azure's built-in entities) on first use. */
  service(scope: ServiceScope): ServiceState {
    const key = serviceKey(scope);
    let service = this.services.get(key);
    if (!service) {
      service = new ServiceState({ ...scope }, this.log, this.epoch);
      this.services.set(key, service);
      if (this.dataDir) this.record(service, { op: 'service', scope: service.scope });
      this.provision(service);
    }
    return service;
  }

  /** Resolves once every mutation so far is on disk (at once in memory); the server answers only then. */
  async durable(): Promise<void> {
    await Promise.all([...this.journals].map((journal) => journal.durable()));
  }

  private record(service: ServiceState, record: JournalRecord): void {
    this.dirty.add(service);
    const journal = this.journal as Journal;
    journal.append(`${JSON.stringify(record)}\n`);
    if (journal.size > JOURNAL_LIMIT_BYTES) this.checkpointing ??= this.checkpoint().finally(() => (this.checkpointing = undefined));
  }

  private startJournal(): void {
    this.journal = Journal.open(journalFile(this.dataDir as string, this.journalSequence));
    this.journalSequence += 1;
    this.journals.add(this.journal);
  }

  /**
   * Folds the journal into the state files: new mutations go to a new journal from now on, the state files are
   * written (they hold everything so far), then the old journal is removed. A crash in between replays the old
   * journal over state files that already hold it, which changes nothing.
   */
  private async checkpoint(): Promise<void> {
    const retired = this.journal as Journal;
    this.startJournal();
    this.writeStateFiles();
    await retired.close();
    this.journals.delete(retired);
    fs.rmSync(retired.file, { force: true });
    syncDirectory(this.dataDir as string);
  }

  private writeStateFiles(): void {
    for (const service of this.dirty) {
      const file = path.join(this.dataDir as string, serviceFileName(serviceKey(service.scope)));
      writeFileDurably(file, JSON.stringify(service.serialize(this.sealer as Sealer)));
    }
    this.dirty.clear();
  }

  private replay(file: string, sealer: Sealer): void {
    journalLines(fs.readFileSync(file, 'utf8')).forEach((line, i) => {
      const record = parseRecord(line, file, i + 1);
      if (record.op === 'service') {
        const key = serviceKey(record.scope);
        if (!this.services.has(key)) this.services.set(key, new ServiceState(record.scope, this.log, this.epoch));
        this.dirty.add(this.services.get(key) as ServiceState);
        return;
      }
      const service = this.services.get(record.service);
      if (!service) throw new UserError(`${file}:${i + 1}: names a service the journal did not provision`);
      service.replay(record, sealer, file);
      this.dirty.add(service);
    });
  }

  /** Writes every mutation to disk, folds the journals into the state files and frees the data directory for another emulator. */
  async close(): Promise<void> {
    if (!this.dataDir) return this.unlock();
    try {
      await this.checkpointing;
      const journal = this.journal as Journal;
      await journal.close();
      this.writeStateFiles();
      fs.rmSync(journal.file, { force: true });
      syncDirectory(this.dataDir);
    } finally {
      this.unlock();
    }
  }
}
