import type { DataSource, EntityTarget, ObjectLiteral, Repository } from 'typeorm';

/**
 * What an adapter over one table holds: the database (for dialect choices and transactions) and the TypeORM
 * repository of the table's entity. An adapter extends it and `implements` its port (ports are abstract classes
 * with no code, so they serve as interfaces here and as injection tokens in the server).
 */
export abstract class OnTable<E extends ObjectLiteral> {
  protected readonly rows: Repository<E>;

  protected constructor(
    protected readonly db: DataSource,
    entity: EntityTarget<E>,
  ) {
    this.rows = db.getRepository(entity);
  }
}

/** The base of an adapter that needs nothing but its table: `class X extends TableAdapter(XEntity) implements Port`. */
export function TableAdapter<E extends ObjectLiteral>(entity: EntityTarget<E>): new (db: DataSource) => OnTable<E> {
  return class extends OnTable<E> {
    constructor(db: DataSource) {
      super(db, entity);
    }
  };
}
