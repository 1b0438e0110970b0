import type { Sealer, TokenKeyRecord, TokenKeyStore } from '@wharf/registry-core';
import type { DataSource } from 'typeorm';
import { TokenKeyEntity } from '../entities';
import { OnTable } from './table-adapter';

/** Seals and opens a secret (the server's SecretBox): what the table holds is useless without the key file. */
export type TextSealer = Sealer<string>;

/** Token-signing keys as rows of `token_keys`, secrets sealed. */
export class TypeOrmTokenKeys extends OnTable<TokenKeyEntity> implements TokenKeyStore {
  constructor(
    db: DataSource,
    private readonly sealer: TextSealer,
  ) {
    super(db, TokenKeyEntity);
  }

  async list(): Promise<TokenKeyRecord[]> {
    const rows = await this.rows.find({ order: { createdAt: 'DESC', kid: 'ASC' } });
    return rows.map((r) => ({ kid: r.kid, secret: Buffer.from(this.sealer.open(r.secret), 'base64'), createdAt: r.createdAt }));
  }

  async add(key: TokenKeyRecord): Promise<void> {
    await this.rows.insert({ kid: key.kid, secret: this.sealer.seal(key.secret.toString('base64')), createdAt: key.createdAt });
  }

  async prune(keep: number): Promise<void> {
    const stale = (await this.rows.find({ order: { createdAt: 'DESC', kid: 'ASC' }, select: { kid: true } })).slice(keep);
    if (stale.length > 0) await this.rows.delete(stale.map((r) => r.kid));
  }
}
