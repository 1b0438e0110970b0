import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { digestHex } from '@wharf/test-kit';

/*
 * Looking inside a Wharf data directory. The blob store layout is Wharf's business; this file is
 * the one place that knows (or guesses) it, so adjust it here if the layout changes.
 */

/** Files that belong to the database, logs and secrets rather than to the blob store. */
const NOT_BLOB_STORE = [/^wharf\.db(-.*)?$/, /\.log$/, /^logs\//, /^admin\.password$/, /^secrets?\//];

export interface DataFile {
  /** Relative to the data dir, with '/' separators. */
  path: string;
  size: number;
}

export function listFiles(root: string): DataFile[] {
  const out: DataFile[] = [];
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // removed while walking
    }
    for (const e of entries) {
      const full = join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile()) {
        try {
          out.push({ path: relative(root, full).split(sep).join('/'), size: statSync(full).size });
        } catch {
          /* removed while walking */
        }
      }
    }
  };
  walk(root);
  return out;
}

/** Every file of the data dir except the database, logs and secrets. */
export function storageFiles(dataDir: string): DataFile[] {
  return listFiles(dataDir).filter((f) => !NOT_BLOB_STORE.some((re) => re.test(f.path)));
}

/** Files anywhere in the data dir whose path mentions the digest's hex (committed blob or temp file named after it). */
export function filesForDigest(dataDir: string, digest: string): DataFile[] {
  const hex = digestHex(digest);
  return listFiles(dataDir).filter((f) => f.path.includes(hex));
}

/** The committed blob file for a digest, if the store holds it at one of the usual places. */
export function committedBlobPath(dataDir: string, digest: string): string | undefined {
  const hex = digestHex(digest);
  const candidates = [
    join(dataDir, 'blobs', 'blobs', 'sha256', hex.slice(0, 2), hex),
    join(dataDir, 'blobs', 'sha256', hex.slice(0, 2), hex),
    join(dataDir, 'blobs', 'default', 'sha256', hex.slice(0, 2), hex),
    join(dataDir, 'blobs', 'default', 'blobs', 'sha256', hex.slice(0, 2), hex),
    join(dataDir, 'blobs', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data'),
  ];
  const found = candidates.find((p) => existsSync(p) && statSync(p).isFile());
  if (found) return found;
  const anywhere = filesForDigest(dataDir, digest).find((f) => /sha256/.test(f.path));
  return anywhere ? join(dataDir, anywhere.path) : undefined;
}

/**
 * Storage files that are new or have grown since `before` was taken: after a crash and restart
 * these are upload leftovers unless they are committed blobs the test expects.
 */
export function newOrGrownFiles(before: DataFile[], after: DataFile[]): DataFile[] {
  const old = new Map(before.map((f) => [f.path, f.size]));
  return after.filter((f) => !old.has(f.path) || f.size > old.get(f.path)!);
}

export function totalSize(files: DataFile[]): number {
  return files.reduce((n, f) => n + f.size, 0);
}

/**
 * Rewrites a stored repository configuration in `wharf.db` behind Wharf's back, as an older version
 * would have stored it (Wharf must be stopped). `change` gets the stored JSON (secrets sealed) and edits it.
 */
export async function rewriteStoredConfig(dataDir: string, name: string, change: (config: Record<string, unknown>) => void): Promise<void> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(join(dataDir, 'wharf.db'));
  try {
    const row = db.prepare('SELECT config FROM repositories WHERE name = ?').get(name) as { config: string } | undefined;
    if (!row) throw new Error(`no repository ${name} in ${dataDir}/wharf.db`);
    const config = JSON.parse(row.config) as Record<string, unknown>;
    change(config);
    db.prepare('UPDATE repositories SET config = ? WHERE name = ?').run(JSON.stringify(config), name);
  } finally {
    db.close();
  }
}

/** A repository configuration as `wharf.db` stores it (secrets sealed). */
export async function storedConfig(dataDir: string, name: string): Promise<Record<string, unknown>> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(join(dataDir, 'wharf.db'), { readonly: true });
  try {
    const row = db.prepare('SELECT config FROM repositories WHERE name = ?').get(name) as { config: string } | undefined;
    if (!row) throw new Error(`no repository ${name} in ${dataDir}/wharf.db`);
    return JSON.parse(row.config) as Record<string, unknown>;
  } finally {
    db.close();
  }
}

/** The registry token-signing keys in `wharf.db`, newest first, opened with the data directory's secret key. */
export async function storedTokenKeys(dataDir: string): Promise<{ kid: string; secret: Buffer }[]> {
  const { default: Database } = await import('better-sqlite3');
  const { SecretBox } = await import('../../apps/server/src/secrets/secret-box');
  const box = await SecretBox.load(join(dataDir, 'secrets', 'config.key'));
  const db = new Database(join(dataDir, 'wharf.db'), { readonly: true });
  try {
    const rows = db.prepare('SELECT kid, secret FROM token_keys ORDER BY "createdAt" DESC').all() as { kid: string; secret: string }[];
    return rows.map((r) => ({ kid: r.kid, secret: Buffer.from(box.open(r.secret), 'base64') }));
  } finally {
    db.close();
  }
}
