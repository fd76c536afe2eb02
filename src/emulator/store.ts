import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ServiceScope } from '../azure/client';
import { UserError } from '../diagnostics';
import { openSealer, type Sealer } from './sealing';

/**
 * The emulator's state: one ServiceState per subscription/resource group/service, each a set of collections
 * (`apis`, `apis/echo-api/operations`, …) of entities. Names are case-insensitive as in ARM (keys are
 * lowercased; the entity keeps the case it was created with). Persistence is write-behind: a mutation marks
 * its service dirty and a write shortly after saves each dirty service to a temp file (fsynced) and renames it
 * over the old one, so a crash leaves either the previous or the new state, never a torn file.
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

export class ServiceState {
  private readonly collections = new Map<string, Map<string, Entity>>();
  private etagCounter = 0;

  constructor(
    readonly scope: ServiceScope,
    private readonly onChange: (service: ServiceState) => void,
  ) {}

  get(collection: string, name: string): Entity | undefined {
    return this.collections.get(lower(collection))?.get(lower(name));
  }

  /** A collection's entities ordered by name, so pages are stable whatever the order of writes. */
  list(collection: string): Entity[] {
    const entities = this.collections.get(lower(collection));
    if (!entities) return [];
    return [...entities.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, entity]) => entity);
  }

  /** Creates or replaces an entity; its name keeps the case of its first creation. */
  put(collection: string, name: string, properties: Record<string, unknown>, hidden?: Record<string, unknown>, secrets?: Record<string, string>): { entity: Entity; created: boolean } {
    const key = lower(collection);
    let entities = this.collections.get(key);
    if (!entities) {
      entities = new Map();
      this.collections.set(key, entities);
    }
    const existing = entities.get(lower(name));
    const entity: Entity = { name: existing?.name ?? name, properties, etag: this.nextEtag() };
    if (hidden && Object.keys(hidden).length) entity.hidden = hidden;
    if (secrets && Object.keys(secrets).length) entity.secrets = secrets;
    entities.set(lower(name), entity);
    this.onChange(this);
    return { entity, created: !existing };
  }

  /** Deletes an entity and every collection nested under it (an API's operations, policies, links…). */
  delete(collection: string, name: string): Entity | undefined {
    const entities = this.collections.get(lower(collection));
    const existing = entities?.get(lower(name));
    if (!entities || !existing) return undefined;
    entities.delete(lower(name));
    const nested = `${lower(collection)}/${lower(name)}/`;
    for (const key of [...this.collections.keys()]) if (key.startsWith(nested)) this.collections.delete(key);
    this.onChange(this);
    return existing;
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

  private nextEtag(): string {
    this.etagCounter += 1;
    const bytes = Buffer.alloc(8);
    bytes.writeBigUInt64BE(BigInt(this.etagCounter));
    return bytes.toString('base64');
  }

  serialize(sealer: Sealer): SerializedService {
    const collections: Record<string, SerializedEntity[]> = {};
    for (const [key, entities] of this.collections) {
      if (!entities.size) continue;
      collections[key] = [...entities.values()].map(({ secrets, ...entity }) => (secrets ? { ...entity, sealed: sealer.seal(secrets) } : entity));
    }
    return { scope: this.scope, etagCounter: this.etagCounter, collections };
  }

  restore(data: SerializedService, sealer: Sealer, file: string): void {
    this.etagCounter = data.etagCounter;
    for (const [key, entities] of Object.entries(data.collections)) {
      const restored = entities.map(({ sealed, ...entity }): Entity => (sealed === undefined ? entity : { ...entity, secrets: sealer.unseal(sealed, file) }));
      this.collections.set(key, new Map(restored.map((e) => [lower(e.name), e])));
    }
  }
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
 * At most one write of the state per this many ms: serialising a large service costs milliseconds, and a
 * publish of hundreds of resources must not serialise it once per request.
 */
const WRITE_INTERVAL_MS = 100;

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
const TEMP_FILE_WRITER = /\.json\.(\d+)\.tmp$/;

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

export class EmulatorStore {
  private readonly services = new Map<string, ServiceState>();
  private readonly dirty = new Set<ServiceState>();
  private timer: NodeJS.Timeout | undefined;
  private lastWrite = 0;
  private writing: Promise<void> = Promise.resolve();
  private writeError: Error | undefined;

  private constructor(
    private readonly dataDir: string | undefined,
    private readonly provision: (service: ServiceState) => void,
    private readonly sealer: Sealer | undefined,
    private readonly unlock: () => void,
  ) {}

  /** Opens a store, loading every service saved in `dataDir` (none when in memory). */
  static open(dataDir: string | undefined, provision: (service: ServiceState) => void): EmulatorStore {
    if (!dataDir) return new EmulatorStore(undefined, provision, undefined, () => undefined);
    fs.mkdirSync(dataDir, { recursive: true });
    const unlock = acquireLock(dataDir);
    try {
      removeAbandonedTempFiles(dataDir);
      const sealer = openSealer(dataDir);
      const store = new EmulatorStore(dataDir, provision, sealer, unlock);
      for (const file of fs.readdirSync(dataDir)) {
        if (!file.endsWith('.json')) continue;
        const data = readServiceFile(path.join(dataDir, file));
        const service = new ServiceState(data.scope, (s) => store.markDirty(s));
        service.restore(data, sealer, path.join(dataDir, file));
        store.services.set(serviceKey(data.scope), service);
      }
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
      service = new ServiceState({ ...scope }, (s) => this.markDirty(s));
      this.services.set(key, service);
      this.provision(service);
    }
    return service;
  }

  private markDirty(service: ServiceState): void {
    if (!this.dataDir) return;
    this.dirty.add(service);
    if (this.timer) return;
    const delay = Math.max(0, this.lastWrite + WRITE_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => this.startWrite(), delay);
  }

  private startWrite(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.writing = this.writing.then(() => this.writeDirty());
  }

  private async writeDirty(): Promise<void> {
    const services = [...this.dirty];
    this.dirty.clear();
    for (const service of services) {
      const file = path.join(this.dataDir as string, serviceFileName(serviceKey(service.scope)));
      const temp = tempFileOf(file);
      try {
        const handle = await fs.promises.open(temp, 'w', 0o600);
        try {
          await handle.writeFile(JSON.stringify(service.serialize(this.sealer as Sealer)));
          await handle.sync();
        } finally {
          await handle.close();
        }
        await fs.promises.rename(temp, file);
      } catch (error) {
        this.writeError = error as Error;
      }
    }
    this.lastWrite = Date.now();
  }

  /** Writes every mutation to disk and frees the data directory for another emulator. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      this.unlock();
    }
  }

  /** Writes every mutation so far to disk now; rejects if a write failed. */
  private async flush(): Promise<void> {
    if (this.timer || this.dirty.size) this.startWrite();
    await this.writing;
    if (this.writeError) {
      const error = this.writeError;
      this.writeError = undefined;
      throw error;
    }
  }
}
