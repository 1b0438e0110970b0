import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { JwtKey } from './jwt';

interface StoredKey {
  kid: string;
  secret: string;
  createdAt: string;
}

interface StoredRing {
  keys: StoredKey[];
}

export interface KeyRingOptions {
  /** A current key older than this is replaced (checked at start and by `rotateIfDue`). */
  rotateAfterMs?: number;
  /** How many previous keys stay valid for verification after a rotation. */
  keepPrevious?: number;
  now?: () => number;
}

const DAY = 24 * 60 * 60 * 1000;

/**
 * The token-signing keys, in a file of the data directory (mode 0600): the current key signs, the
 * current and a few previous keys verify (selected by `kid`), so a rotation never breaks a token in flight.
 * A `kid` this process does not know makes it re-read the file (another process may have rotated).
 */
export class KeyRing {
  private keys: { kid: string; secret: Buffer; createdAt: number }[] = [];
  private lastReload = 0;

  private constructor(
    private readonly file: string,
    private readonly rotateAfterMs: number,
    private readonly keepPrevious: number,
    private readonly now: () => number,
  ) {}

  static async load(file: string, options: KeyRingOptions = {}): Promise<KeyRing> {
    const ring = new KeyRing(file, options.rotateAfterMs ?? DAY, options.keepPrevious ?? 2, options.now ?? Date.now);
    await ring.read();
    if (ring.keys.length === 0) await ring.rotate();
    else await ring.rotateIfDue();
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
    if (this.now() - this.lastReload > 10_000) {
      this.lastReload = this.now();
      void this.read().catch(() => undefined);
    }
    return undefined;
  }

  kids(): string[] {
    return this.keys.map((k) => k.kid);
  }

  /** A new current key; the old one and `keepPrevious - 1` before it still verify. */
  async rotate(): Promise<void> {
    const fresh = { kid: randomBytes(8).toString('hex'), secret: randomBytes(32), createdAt: this.now() };
    this.keys = [fresh, ...this.keys].slice(0, 1 + this.keepPrevious);
    await this.write();
  }

  async rotateIfDue(): Promise<boolean> {
    const current = this.keys[0];
    if (current && this.now() - current.createdAt < this.rotateAfterMs) return false;
    await this.rotate();
    return true;
  }

  private async read(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    const stored = JSON.parse(text) as StoredRing;
    const keys = (stored.keys ?? [])
      .map((k) => ({ kid: k.kid, secret: Buffer.from(k.secret, 'base64'), createdAt: Date.parse(k.createdAt) }))
      .filter((k) => typeof k.kid === 'string' && k.secret.length >= 32 && Number.isFinite(k.createdAt));
    if (keys.length === 0) throw new Error(`${this.file} holds no usable token-signing key`);
    this.keys = keys;
  }

  private async write(): Promise<void> {
    const stored: StoredRing = {
      keys: this.keys.map((k) => ({ kid: k.kid, secret: k.secret.toString('base64'), createdAt: new Date(k.createdAt).toISOString() })),
    };
    await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(stored, null, 2), { mode: 0o600 });
    await rename(tmp, this.file);
  }
}
