import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import type { TokenKeyRecord, TokenKeyStore } from '@wharf/registry-core';
import type { JwtKey } from './jwt';

export interface KeyRingOptions {
  /** A current key older than this is replaced (checked at start and by `rotateIfDue`). */
  rotateAfterMs?: number;
  /** How many previous keys stay valid for verification after a rotation. */
  keepPrevious?: number;
  now?: () => number;
  /** Runs a rotation while no other process rotates (a shared lock); default: as is. */
  exclusive?: <T>(work: () => Promise<T>) => Promise<T>;
  /** Tells the other processes that the keys changed (they reload); default: nobody to tell. */
  announce?: () => Promise<void>;
  /** The key file of older versions (secrets/token-keys.json): imported once into the store, then removed. */
  legacyFile?: string;
}

const DAY = 24 * 60 * 60 * 1000;
/** A token naming a key this process does not know makes it read the keys again, at most this often. */
const RELOAD_AT_MOST_EVERY_MS = 1_000;

interface Key {
  kid: string;
  secret: Buffer;
  createdAt: number;
}

/**
 * The token-signing keys, in the database (sealed), shared by every replica: the newest key signs, it and
 * a few previous keys verify (selected by `kid`), so a rotation never breaks a token in flight. One process
 * rotates at a time and tells the others, which reload; a `kid` this process does not know also makes it
 * reload (a rotation it has not heard of yet).
 */
export class KeyRing {
  private keys: Key[] = [];
  private lastReload = 0;

  private constructor(
    private readonly store: TokenKeyStore,
    private readonly rotateAfterMs: number,
    private readonly keepPrevious: number,
    private readonly now: () => number,
    private readonly exclusive: <T>(work: () => Promise<T>) => Promise<T>,
    private readonly announce: () => Promise<void>,
  ) {}

  static async load(store: TokenKeyStore, options: KeyRingOptions = {}): Promise<KeyRing> {
    const ring = new KeyRing(
      store,
      options.rotateAfterMs ?? DAY,
      options.keepPrevious ?? 2,
      options.now ?? Date.now,
      options.exclusive ?? ((work) => work()),
      options.announce ?? (async () => undefined),
    );
    await ring.exclusive(async () => {
      if (options.legacyFile) await ring.importLegacyFile(options.legacyFile);
      await ring.reload();
      if (ring.due()) await ring.rotateNow();
    });
    return ring;
  }

  /** The key that signs new tokens. */
  current(): JwtKey {
    const key = this.keys[0]!;
    return { kid: key.kid, secret: key.secret };
  }

  /** The secret of a current or previous key. */
  key(kid: string): Buffer | undefined {
    const found = this.keys.find((k) => k.kid === kid);
    if (found) return found.secret;
    if (this.now() - this.lastReload > RELOAD_AT_MOST_EVERY_MS) void this.reload().catch(() => undefined);
    return undefined;
  }

  kids(): string[] {
    return this.keys.map((k) => k.kid);
  }

  /** Reads the keys again (another process rotated). */
  async reload(): Promise<void> {
    this.lastReload = this.now();
    const keys = (await this.store.list()).filter((k) => k.secret.length >= 32).map(toKey);
    if (keys.length > 0) this.keys = keys;
  }

  /** A new current key; the old one and `keepPrevious - 1` before it still verify. */
  async rotate(): Promise<void> {
    await this.exclusive(() => this.rotateNow());
  }

  /** Rotates when the current key is older than `rotateAfterMs` (whoever comes first among the processes). */
  async rotateIfDue(): Promise<boolean> {
    return this.exclusive(async () => {
      await this.reload();
      if (!this.due()) return false;
      await this.rotateNow();
      return true;
    });
  }

  private due(): boolean {
    const current = this.keys[0];
    return !current || this.now() - current.createdAt >= this.rotateAfterMs;
  }

  private async rotateNow(): Promise<void> {
    // Never older than the newest key: clocks of replicas may differ a little.
    const createdAt = Math.max(this.now(), (this.keys[0]?.createdAt ?? 0) + 1);
    await this.store.add({ kid: randomBytes(8).toString('hex'), secret: randomBytes(32), createdAt: new Date(createdAt) });
    await this.store.prune(1 + this.keepPrevious);
    await this.reload();
    await this.announce();
  }

  private async importLegacyFile(file: string): Promise<void> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    if ((await this.store.list()).length === 0) {
      const stored = JSON.parse(text) as { keys?: { kid: string; secret: string; createdAt: string }[] };
      // Oldest first, so the newest stays the current key.
      for (const k of [...(stored.keys ?? [])].reverse()) {
        const record: TokenKeyRecord = { kid: k.kid, secret: Buffer.from(k.secret, 'base64'), createdAt: new Date(k.createdAt) };
        if (typeof k.kid === 'string' && record.secret.length >= 32 && Number.isFinite(record.createdAt.getTime())) await this.store.add(record);
      }
    }
    // The database holds the keys now: no second copy of the secrets in the data directory.
    await rm(file, { force: true });
  }
}

function toKey(record: TokenKeyRecord): Key {
  return { kid: record.kid, secret: record.secret, createdAt: record.createdAt.getTime() };
}
