import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { ApiTokenRecord, ApiTokenStore } from '@wharf/registry-core';
import { SecurityInputError, SecurityNotFoundError } from './errors';
import type { SecurityModel } from './security-model';

/** Every API token starts with this, so it is recognisable (secret scanners, Basic passwords) and never mistaken for a JWT. */
export const API_TOKEN_PREFIX = 'wharf_';
const TOKEN_SHAPE = /^wharf_[A-Za-z0-9_-]{43}$/;
/** How long a verified token is trusted without asking the store again: revocation reaches every replica within it. */
const CACHE_TTL_MS = 1_000;
const TOUCH_EVERY_MS = 60_000;

export interface ApiTokenView {
  id: string;
  name: string;
  userId: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

export interface CreatedApiToken extends ApiTokenView {
  /** The secret: shown once, stored only as its SHA-256. */
  token: string;
}

export function looksLikeApiToken(value: string): boolean {
  return TOKEN_SHAPE.test(value);
}

function hashOf(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * API tokens for scripts and CI: 256-bit random secrets, stored as SHA-256 (a database leak reveals
 * no usable token), acting with their user's current privileges, revocable at once.
 */
export class ApiTokensService {
  private readonly cache = new Map<string, { record: ApiTokenRecord; until: number }>();
  private readonly liveness = new Map<string, { record: ApiTokenRecord | null; until: number }>();

  constructor(
    private readonly store: ApiTokenStore,
    private readonly model: SecurityModel,
  ) {}

  async create(userId: string, name: string, expiresAt: Date | null): Promise<CreatedApiToken> {
    const trimmed = name.trim();
    if (trimmed === '' || trimmed.length > 200) throw new SecurityInputError('name', 'name must be 1-200 characters');
    if (expiresAt && expiresAt.getTime() <= Date.now()) throw new SecurityInputError('expiresAt', 'expiresAt must be in the future');
    const secret = API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const record: ApiTokenRecord = {
      id: randomUUID(),
      userId,
      name: trimmed,
      tokenHash: hashOf(secret),
      createdAt: new Date(),
      expiresAt,
      lastUsedAt: null,
    };
    await this.store.insert(record);
    return { ...toView(record), token: secret };
  }

  /** One user's tokens, or every token (administrators). */
  async list(userId?: string): Promise<ApiTokenView[]> {
    return (await this.store.list(userId)).map(toView);
  }

  /** Revokes a token; only its owner or an administrator may (others get 404, as for a token that does not exist). */
  async revoke(id: string, by: { userId: string; admin: boolean }): Promise<ApiTokenView> {
    const record = await this.store.get(id);
    if (!record || (!by.admin && record.userId !== by.userId)) throw new SecurityNotFoundError(`API token ${id} does not exist`);
    await this.store.delete(id);
    this.forget((r) => r.id === id);
    return toView(record);
  }

  async revokeAllOf(userId: string): Promise<void> {
    await this.store.deleteForUser(userId);
    this.forget((r) => r.userId === userId);
  }

  /** The owner of a valid (known, unexpired, owner active) token, or null. */
  async verify(secret: string): Promise<{ userId: string; tokenId: string } | null> {
    if (!looksLikeApiToken(secret)) return null;
    const hash = hashOf(secret);
    const now = Date.now();
    let record: ApiTokenRecord | null;
    const hit = this.cache.get(hash);
    if (hit && hit.until > now) record = hit.record;
    else {
      record = await this.store.byHash(hash);
      if (record) {
        if (this.cache.size > 5000) this.cache.clear();
        this.cache.set(hash, { record, until: now + CACHE_TTL_MS });
      }
    }
    if (!record) return null;
    // The lookup was by hash; compare once more in constant time all the same.
    const a = Buffer.from(record.tokenHash, 'hex');
    const b = Buffer.from(hash, 'hex');
    if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
    if (record.expiresAt && record.expiresAt.getTime() <= now) return null;
    if (!this.model.isActive(record.userId)) return null;
    if (!record.lastUsedAt || now - record.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
      record.lastUsedAt = new Date(now);
      void this.store.touch(record.id, record.lastUsedAt).catch(() => undefined);
    }
    return { userId: record.userId, tokenId: record.id };
  }

  /**
   * Whether the token with this id still stands (known, unexpired, its user active): registry tokens obtained
   * with it are checked with this on every use, so revoking it reaches them too. Asked of the store at most
   * once a second per token.
   */
  async isLive(id: string): Promise<boolean> {
    const now = Date.now();
    let entry = this.liveness.get(id);
    if (!entry || entry.until <= now) {
      const record = await this.store.get(id);
      if (this.liveness.size > 5000) this.liveness.clear();
      entry = { record, until: now + CACHE_TTL_MS };
      this.liveness.set(id, entry);
    }
    const record = entry.record;
    return record !== null && (!record.expiresAt || record.expiresAt.getTime() > now) && this.model.isActive(record.userId);
  }

  private forget(match: (r: ApiTokenRecord) => boolean): void {
    for (const [id, entry] of this.liveness) if (entry.record === null || match(entry.record)) this.liveness.delete(id);
    for (const [hash, entry] of this.cache) if (match(entry.record)) this.cache.delete(hash);
  }
}

function toView(r: ApiTokenRecord): ApiTokenView {
  return {
    id: r.id,
    name: r.name,
    userId: r.userId,
    createdAt: r.createdAt.toISOString(),
    expiresAt: r.expiresAt ? r.expiresAt.toISOString() : null,
    lastUsedAt: r.lastUsedAt ? r.lastUsedAt.toISOString() : null,
  };
}
