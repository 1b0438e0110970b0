import type { SettingsStore } from '@wharf/registry-core';

export const LOCAL_REALM = 'NexusAuthenticatingRealm';
export const DOCKER_TOKEN_REALM = 'DockerToken';

/** The realms this build knows, in Nexus's ids (`GET /service/rest/v1/security/realms/available`). */
export const AVAILABLE_REALMS: { id: string; name: string }[] = [
  { id: LOCAL_REALM, name: 'Local Authenticating Realm' },
  { id: DOCKER_TOKEN_REALM, name: 'Docker Bearer Token Realm' },
];

const KEY = 'security.realms';
const DEFAULTS = [LOCAL_REALM, DOCKER_TOKEN_REALM];

export class InvalidRealmsError extends Error {}

/** The active realms (both on first start), read on every registry request, so kept in memory. */
export class RealmSettings {
  private active: string[] = [...DEFAULTS];

  constructor(private readonly settings: SettingsStore) {}

  async load(): Promise<void> {
    const stored = await this.settings.get<string[] | null>(KEY, null);
    this.active = Array.isArray(stored) ? stored.filter((r) => AVAILABLE_REALMS.some((a) => a.id === r)) : [...DEFAULTS];
  }

  get(): string[] {
    return [...this.active];
  }

  /** Is the Docker token realm on (registry challenges are Bearer, tokens come from /v2/token)? */
  get dockerToken(): boolean {
    return this.active.includes(DOCKER_TOKEN_REALM);
  }

  /** Sets the active realms; the local realm cannot be switched off (nobody could log in any more). */
  async update(realms: string[]): Promise<void> {
    const unknown = realms.filter((r) => !AVAILABLE_REALMS.some((a) => a.id === r));
    if (unknown.length > 0) throw new InvalidRealmsError(`unknown realm(s): ${unknown.join(', ')}; available: ${AVAILABLE_REALMS.map((a) => a.id).join(', ')}`);
    if (!realms.includes(LOCAL_REALM)) throw new InvalidRealmsError(`${LOCAL_REALM} must stay active: without it no user could authenticate`);
    const next = [...new Set(realms)];
    await this.settings.set(KEY, next);
    this.active = next;
  }
}
