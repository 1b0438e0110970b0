import { type Page, type PageRequest, type TagIndex, type TagRecord, pageSize, toPage } from '@wharf/registry-core';
import type { DataSource, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { byteOrder } from '../dialect';
import { ManifestEntity, TagEntity } from '../entities';
import { presentFields } from './present-fields';
import { OnTable } from './table-adapter';
import { Atomic } from '../sql/atomic';

export class TypeOrmTagIndex extends OnTable<TagEntity> implements TagIndex {
  private readonly atomic: Atomic;

  constructor(db: DataSource) {
    super(db, TagEntity);
    this.atomic = new Atomic(db);
  }

  /** Comparisons and order of names in byte order, as the distribution spec's lexical order wants, whatever the database's collation. */
  private sorted(column: string): string {
    return byteOrder(this.db, column);
  }

  async get(repository: string, image: string, tag: string): Promise<TagRecord | null> {
    const row = await this.rows.findOneBy({ repository, image, name: tag });
    return row ? toRecord(row) : null;
  }

  /** `updatedAt` is when the tag last moved to other content: setting it to the digest it has keeps it (a proxy's revalidation). */
  async set(repository: string, image: string, tag: string, digest: string, verifiedAt?: Date): Promise<void> {
    const now = new Date();
    await this.atomic.run(function* (sql) {
      yield* sql.run(
        `INSERT INTO tags (repository, image, name, digest, "updatedAt", "verifiedAt") VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (repository, image, name) DO UPDATE SET "verifiedAt" = excluded."verifiedAt",
           "updatedAt" = CASE WHEN tags.digest = excluded.digest THEN tags."updatedAt" ELSE excluded."updatedAt" END,
           digest = excluded.digest`,
        repository,
        image,
        tag,
        digest,
        now,
        verifiedAt ?? null,
      );
    });
  }

  async claim(repository: string, image: string, tag: string, digest: string): Promise<string> {
    await this.rows
      .createQueryBuilder()
      .insert()
      .values({ repository, image, name: tag, digest, updatedAt: new Date(), verifiedAt: null })
      .orIgnore()
      .execute();
    const row = await this.rows.findOneBy({ repository, image, name: tag });
    return row?.digest ?? digest;
  }

  async expireAll(repository: string): Promise<void> {
    await this.rows.update({ repository }, { verifiedAt: null });
  }

  async delete(repository: string, image: string, tag: string): Promise<boolean> {
    const result = await this.rows.delete({ repository, image, name: tag });
    return (result.affected ?? 0) > 0;
  }

  async deleteByDigest(repository: string, image: string, digest: string): Promise<number> {
    const result = await this.rows.delete({ repository, image, digest });
    return result.affected ?? 0;
  }

  async list(repository: string, image: string, page: PageRequest): Promise<Page<string>> {
    const query = this.rows.createQueryBuilder('t').select('t.name', 'name').where('t.repository = :repository AND t.image = :image', { repository, image });
    return pageOfNames(query, this.sorted('t.name'), page);
  }

  async listImages(repository: string, page: PageRequest): Promise<Page<string>> {
    const image = this.sorted('m.image');
    const query = this.db.getRepository(ManifestEntity).createQueryBuilder('m').select(`DISTINCT ${image}`, 'name').where('m.repository = :repository', { repository });
    return pageOfNames(query, image, page);
  }

  async listAll(repository: string, page: PageRequest): Promise<Page<TagRecord>> {
    const limit = pageSize(page);
    const query = this.rows.createQueryBuilder('t').where('t.repository = :repository', { repository });
    if (page.last) {
      const cut = page.last.indexOf(':');
      const image = cut < 0 ? page.last : page.last.slice(0, cut);
      const tag = cut < 0 ? '' : page.last.slice(cut + 1);
      const [byImage, byName] = [this.sorted('t.image'), this.sorted('t.name')];
      query.andWhere(`(${byImage} > :image OR (t.image = :image AND ${byName} > :tag))`, { image, tag });
    }
    const rows = await query
      .orderBy(this.sorted('t.image'), 'ASC')
      .addOrderBy(this.sorted('t.name'), 'ASC')
      .limit(limit + 1)
      .getMany();
    return toPage(rows.map(toRecord), limit, (r) => `${r.image}:${r.name}`);
  }
}

function toRecord({ image, name, digest, updatedAt, verifiedAt }: TagEntity): TagRecord {
  return { image, name, digest, updatedAt, ...presentFields({ verifiedAt }) };
}

/** One page of the names `query` selects (as `name`), in byte order: `sorted` is the name's byte-ordered expression. */
async function pageOfNames(query: SelectQueryBuilder<ObjectLiteral>, sorted: string, page: PageRequest): Promise<Page<string>> {
  const limit = pageSize(page);
  if (page.last) query.andWhere(`${sorted} > :last`, { last: page.last });
  const rows: { name: string }[] = await query.orderBy(sorted, 'ASC').limit(limit + 1).getRawMany();
  return toPage(rows.map((r) => r.name), limit, (name) => name);
}
