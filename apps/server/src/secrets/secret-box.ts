import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

const PREFIX = 'enc:v1:';

/**
 * AES-256-GCM with a key kept in a file (secrets/config.key of the data directory, or WHARF_SECRET_KEY_FILE):
 * secrets in the database are useless without it. Every process on one database needs the same key.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /** Loads the key file, creating it (mode 0600) on first start. */
  static async load(file: string): Promise<SecretBox> {
    try {
      const key = Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
      if (key.length !== 32) throw new Error(`${file} does not hold a 256-bit key`);
      return new SecretBox(key);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const key = randomBytes(32);
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    try {
      await writeFile(file, key.toString('base64'), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      // Another process sharing the key file (a replica starting at the same moment) created it first.
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return SecretBox.load(file);
      throw err;
    }
    return new SecretBox(key);
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  open(sealed: string): string {
    if (!sealed.startsWith(PREFIX)) return sealed;
    const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}
