import type { SettingsStore } from '@wharf/registry-core';

export interface AnonymousSettings {
  enabled: boolean;
  userId: string;
  realmName: string;
}

const KEY = 'security.anonymous';
const DEFAULTS: AnonymousSettings = { enabled: false, userId: 'anonymous', realmName: 'NexusAuthorizingRealm' };

/** The anonymous-access switch (off on first start), read on every unauthenticated request, so kept in memory. */
export class AnonymousAccess {
  private current: AnonymousSettings = DEFAULTS;

  constructor(private readonly settings: SettingsStore) {}

  async load(): Promise<void> {
    this.current = { ...DEFAULTS, ...(await this.settings.get<Partial<AnonymousSettings>>(KEY, {})) };
  }

  get(): AnonymousSettings {
    return { ...this.current };
  }

  get enabled(): boolean {
    return this.current.enabled;
  }

  async update(next: AnonymousSettings): Promise<void> {
    await this.settings.set(KEY, next);
    this.current = { ...next };
  }
}
