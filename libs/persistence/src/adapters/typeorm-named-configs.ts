import type { NamedConfigs, Sealer } from '@wharf/registry-core';
import type { DataSource, DeepPartial, EntityTarget, FindOptionsWhere } from 'typeorm';
import { byteOrder } from '../dialect';
import { OnTable } from './table-adapter';

/** The columns every table of named configurations has: the full configuration is the sealed JSON in `config`. */
export interface ConfigRow {
  name: string;
  type: string;
  config: string;
}

const unsealed = <C>(): Sealer<C> => ({ seal: (c) => c, open: (c) => c });

/** A table of configurations by name (repositories, blob stores): what NamedConfigs means on TypeORM. */
export abstract class TypeOrmNamedConfigs<C extends { name: string; type: string }, E extends ConfigRow> extends OnTable<E> implements NamedConfigs<C> {
  protected constructor(
    db: DataSource,
    entity: EntityTarget<E>,
    private readonly sealer: Sealer<C> = unsealed(),
  ) {
    super(db, entity);
  }

  async list(): Promise<C[]> {
    const rows = await this.rows.createQueryBuilder('c').orderBy(byteOrder(this.db, 'c.name')).getMany();
    return rows.map((r) => this.toConfig(r));
  }

  async get(name: string): Promise<C | null> {
    const row = await this.rows.findOneBy({ name } as FindOptionsWhere<E>);
    return row ? this.toConfig(row) : null;
  }

  async save(config: C): Promise<void> {
    await this.rows.save(this.toRow(config));
  }

  async delete(name: string): Promise<boolean> {
    return ((await this.rows.delete({ name } as FindOptionsWhere<E>)).affected ?? 0) > 0;
  }

  /** The row that stores `config`; a table with columns of its own (for queries and constraints) adds them. */
  protected toRow(config: C): DeepPartial<E> {
    return { name: config.name, type: config.type, config: JSON.stringify(this.sealer.seal(config)) } as DeepPartial<E>;
  }

  private toConfig(row: E): C {
    return this.sealer.open(JSON.parse(row.config) as C);
  }
}
