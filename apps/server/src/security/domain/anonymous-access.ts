import type { SettingsStore } from '@wharf/registry-core';
import { SecurityInputError } from './errors';
import type { SecurityModel } from './security-model';

export interface AnonymousSettings {
  enabled: boolean;
  userId: string;
  realmName: string;
}

const KEY = 'security.anonymous';
const DEFAULTS: AnonymousSettings = { enabled: false, userId: 'anonymous', realmName: 'NexusAuthorizingRealm' };

/**
 * The user anonymous callers act as must exist and must not hold administrative privileges (nx-all):
 * otherwise every caller without credentials would be an administrator.
 */
export function checkAnonymousUser(model: SecurityModel, userId: string): void {
  if (!model.hasUser(userId)) throw new SecurityInputError('userId', `user ${userId} does not exist`);
  if (model.privilegesOf(userId).isAll) {
    throw new SecurityInputError('userId', `user ${userId} holds administrative privileges (nx-all): anonymous callers may not act as an administrator`);
  }
}

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
