import type { SettingsStore } from '@wharf/registry-core';
import { ConfigError } from '../config/config';
import type { SecretBox } from './secret-box';

const KEY = 'secrets.check';
const TEXT = 'wharf secret key check';

/**
 * Makes sure this process seals and opens secrets with the key the database's secrets were sealed with: a
 * replica started with another key file would fail later and obscurely (upstream passwords, S3 keys and
 * token keys unreadable), so it refuses to start instead. The first process on a database records a check
 * value sealed with its key.
 */
export async function checkSecretKey(box: SecretBox, settings: SettingsStore, keyFile: string): Promise<void> {
  const stored = await settings.get<string | null>(KEY, null);
  if (stored === null) return settings.set(KEY, box.seal(TEXT));
  let opened: string | null = null;
  try {
    opened = box.open(stored);
  } catch {
    // Another key: the authentication tag does not match.
  }
  if (opened !== TEXT) {
    throw new ConfigError(
      `${keyFile} is not the key the secrets in this database were sealed with: every Wharf on one database needs the same key file (copy it from the first one, or point WHARF_SECRET_KEY_FILE at a shared copy)`,
    );
  }
}
