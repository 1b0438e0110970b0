import { BadRequestException, Injectable } from '@nestjs/common';
import type { AssetJson, ComponentJson, PageJson } from '@wharf/api-types';
import { GroupRepository, RepositoryManager, RepositoryNotFoundError, TagIndex, type TagRecord } from '@wharf/registry-core';
import { ComponentsService } from './components.service';

/** Nexus's search parameters that Wharf answers (others are refused with 400, never ignored). */
export interface SearchQuery {
  repository?: string;
  format?: string;
  name?: string;
  version?: string;
  sort?: string;
  direction?: string;
  continuationToken?: string;
}

const PAGE_SIZE = 50;
const SORTS = ['name', 'version', 'repository'] as const;

/**
 * `GET /service/rest/v1/search` and `/search/assets`: the components (tags) of every repository the caller
 * may browse, or of one (`repository`; a group means its members), filtered by image name and tag with `*`
 * wildcards, sorted, 50 per page. It reads the tag index of each candidate repository.
 */
@Injectable()
export class SearchService {
  constructor(
    private readonly manager: RepositoryManager,
    private readonly tags: TagIndex,
    private readonly browse: ComponentsService,
  ) {}

  async findComponents(query: SearchQuery, base: string, canBrowse: (repository: string) => boolean): Promise<PageJson<ComponentJson>> {
    const { page, next } = await this.search(query, canBrowse);
    const items = await Promise.all(page.map((hit) => this.browse.component(hit.repository, hit.tag, base)));
    return { items, continuationToken: next };
  }

  async assets(query: SearchQuery, base: string, canBrowse: (repository: string) => boolean): Promise<PageJson<AssetJson>> {
    const found = await this.findComponents(query, base, canBrowse);
    return { items: found.items.flatMap((c) => c.assets), continuationToken: found.continuationToken };
  }

  private async search(query: SearchQuery, canBrowse: (repository: string) => boolean): Promise<{ page: Hit[]; next: string | null }> {
    if (query.format !== undefined && query.format !== 'docker') return { page: [], next: null };
    const sort = query.sort ?? 'name';
    if (!(SORTS as readonly string[]).includes(sort)) throw new BadRequestException(`sort must be one of ${SORTS.join(', ')}, not "${sort}"`);
    const direction = query.direction ?? 'asc';
    if (direction !== 'asc' && direction !== 'desc') throw new BadRequestException(`direction must be asc or desc, not "${direction}"`);
    const offset = decodeOffset(query.continuationToken);
    const name = query.name !== undefined ? glob(query.name) : undefined;
    const version = query.version !== undefined ? glob(query.version) : undefined;
    const hits: Hit[] = [];
    for (const repository of this.candidates(query.repository, canBrowse)) {
      for await (const tag of this.allTags(repository)) {
        if ((name === undefined || name.test(tag.image)) && (version === undefined || version.test(tag.name))) hits.push({ repository, tag });
      }
    }
    const key = (h: Hit) => (sort === 'version' ? [h.tag.name, h.tag.image, h.repository] : sort === 'repository' ? [h.repository, h.tag.image, h.tag.name] : [h.tag.image, h.tag.name, h.repository]);
    hits.sort((a, b) => compareKeys(key(a), key(b)) * (direction === 'desc' ? -1 : 1));
    const page = hits.slice(offset, offset + PAGE_SIZE);
    return { page, next: offset + PAGE_SIZE < hits.length ? encodeOffset(offset + PAGE_SIZE) : null };
  }

  /** Hosted and proxy repositories to search: one (a group: its members) or all, those the caller may browse. */
  private candidates(repository: string | undefined, canBrowse: (repository: string) => boolean): string[] {
    if (repository !== undefined) {
      const named = this.manager.get(repository);
      if (!named || !canBrowse(repository)) throw new RepositoryNotFoundError(`repository ${repository} does not exist`);
      if (!(named instanceof GroupRepository)) return [repository];
      return [...new Set(named.leafMembers().map((m) => m.name))].filter(canBrowse);
    }
    return this.manager
      .configs()
      .filter((c) => c.type !== 'group' && canBrowse(c.name))
      .map((c) => c.name);
  }

  private async *allTags(repository: string): AsyncGenerator<TagRecord> {
    let last: string | undefined;
    for (;;) {
      const page = await this.tags.listAll(repository, { n: 1000, ...(last !== undefined ? { last } : {}) });
      yield* page.items;
      if (page.next === undefined) return;
      last = page.next;
    }
  }
}

interface Hit {
  repository: string;
  tag: TagRecord;
}

/** Nexus's wildcard `*` (any run of characters); everything else literal; the whole value must match. */
function glob(pattern: string): RegExp {
  if (pattern.length > 255) throw new BadRequestException('search values are at most 255 characters');
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

function compareKeys(a: string[], b: string[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i]! < b[i]!) return -1;
    if (a[i]! > b[i]!) return 1;
  }
  return 0;
}

function encodeOffset(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64url');
}

function decodeOffset(token: string | undefined): number {
  if (!token) return 0;
  try {
    const { offset } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { offset?: unknown };
    if (Number.isInteger(offset) && (offset as number) >= 0) return offset as number;
  } catch {
    // fall through
  }
  throw new BadRequestException('continuationToken is not one this server issued');
}
