import { type AuditEventInput, type AuditEventRecord, type AuditStore } from '@wharf/registry-core';
import { LessThan } from 'typeorm';
import { AuditEventEntity } from '../entities';
import { TableAdapter } from './table-adapter';

/** The audit log table: append and read newest first. */
export class TypeOrmAuditLog extends TableAdapter(AuditEventEntity) implements AuditStore {
  async append(event: AuditEventInput): Promise<number> {
    const result = await this.rows.insert({ ...event, details: JSON.stringify(event.details) });
    return Number(result.identifiers[0]?.id ?? 0);
  }

  /** Up to `limit` events, newest first, only those with an id below `before` when given. */
  async list(limit: number, before?: number): Promise<AuditEventRecord[]> {
    const rows = await this.rows.find({
      where: before === undefined ? {} : { id: LessThan(before) },
      order: { id: 'DESC' },
      take: limit,
    });
    return rows.map((row) => ({
      id: row.id,
      at: row.at,
      actor: row.actor,
      address: row.address,
      action: row.action,
      target: row.target,
      details: JSON.parse(row.details) as Record<string, unknown>,
    }));
  }
}
