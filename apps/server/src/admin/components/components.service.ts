import { BadRequestException, Injectable } from '@nestjs/common';
import type { AssetJson, ComponentJson, PageJson } from '@wharf/api-types';
import { type AssetRef, type ComponentRef, assetId, componentId } from './component-ids';
import {
  DownloadRecorder,
  GroupRepository,
  ManifestIndex,
  type ManifestRecord,
  type Page,
  type PageRequest,
  RepositoryManager,
  RepositoryNotFoundError,
  TagIndex,
  type TagRecord,
} from '@wharf/registry-core';

const PAGE_SIZE = 100;

/** The browse view: one component per image tag, its manifest as the asset (Nexus's /v1/components shape). */
@Injectable()
export class ComponentsService {
  constructor(
    private readonly manager: RepositoryManager,
    private readonly tags: TagIndex,
    private readonly manifests: ManifestIndex,
    private readonly downloads: DownloadRecorder,
  ) {}

  /**
   * One page of a repository's components, optionally of one image (`name`). A group lists its members'
   * components in member order (each under the member's name, with `servedBy`: the member a pull of that tag
   * gets), skipping members `canBrowse` refuses.
   */
  async list(
    repository: string,
    continuationToken: string | undefined,
    base: string,
    options: { name?: string; canBrowse?: (repository: string) => boolean } = {},
  ): Promise<PageJson<ComponentJson>> {
    const named = this.manager.get(repository);
    if (!named) throw new RepositoryNotFoundError(`repository ${repository} does not exist`);
    // Pulls are recorded in batches: write this process's pending ones so lastDownloaded is current.
    await this.downloads.flush();
    const group = named instanceof GroupRepository;
    const sources = group ? named.leafMembers().flatMap((m) => ((options.canBrowse?.(m.name) ?? true) ? [m.name] : [])) : [repository];
    let cursor = decodeToken(continuationToken);
    let index = Math.max(0, cursor ? sources.indexOf(cursor.repository) : 0);
    const items: ComponentJson[] = [];
    while (index < sources.length && items.length < PAGE_SIZE) {
      const source = sources[index]!;
      const page = await this.tagsOf(source, options.name, { n: PAGE_SIZE - items.length, ...(cursor?.last ? { last: cursor.last } : {}) });
      const earlier = sources.slice(0, index);
      items.push(
        ...(await Promise.all(
          page.items.map(async (tag) => {
            const component = await this.component(source, tag, base);
            return group ? { ...component, servedBy: await this.servingMember(earlier, tag, source) } : component;
          }),
        )),
      );
      if (page.next !== undefined) {
        cursor = { repository: source, last: page.next };
        return { items, continuationToken: encodeToken(cursor) };
      }
      index += 1;
      cursor = undefined;
    }
    const more = index < sources.length;
    return { items, continuationToken: more ? encodeToken({ repository: sources[index]! }) : null };
  }

  /** The first of `earlier` members (the group's order) holding the same tag, else `member`: what the group serves. */
  private async servingMember(earlier: string[], tag: TagRecord, member: string): Promise<string> {
    const held = await Promise.all(earlier.map((m) => this.tags.get(m, tag.image, tag.name)));
    const first = held.findIndex((t) => t !== null);
    return first === -1 ? member : earlier[first]!;
  }

  private async tagsOf(repository: string, image: string | undefined, page: PageRequest): Promise<Page<TagRecord>> {
    if (image === undefined) return this.tags.listAll(repository, page);
    const names = await this.tags.list(repository, image, page);
    const records = await Promise.all(names.items.map((tag) => this.tags.get(repository, image, tag)));
    return { items: records.filter((r): r is TagRecord => r !== null), ...(names.next ? { next: names.next } : {}) };
  }

  /** One tag as a Nexus component, its manifest as the one asset (the ids are stable: see component-ids.ts). */
  async component(repository: string, tag: TagRecord, base: string): Promise<ComponentJson> {
    const manifest = await this.manifests.get(repository, tag.image, tag.digest);
    const path = `v2/${tag.image}/manifests/${tag.name}`;
    return {
      id: componentId({ repository, image: tag.image, tag: tag.name }),
      repository,
      format: 'docker',
      group: null,
      name: tag.image,
      version: tag.name,
      assets: [assetJson({ repository, image: tag.image, digest: tag.digest }, path, base, manifest, tag.updatedAt)],
    };
  }

  /** A component by id, or null when its tag is gone. */
  async componentById(id: ComponentRef, base: string): Promise<ComponentJson | null> {
    const tag = await this.tags.get(id.repository, id.image, id.tag);
    return tag ? this.component(id.repository, tag, base) : null;
  }

  /** An asset (a manifest by digest) by id, or null when it is gone. */
  async assetById(id: AssetRef, base: string): Promise<AssetJson | null> {
    await this.downloads.flush();
    const manifest = await this.manifests.get(id.repository, id.image, id.digest);
    return manifest ? assetJson(id, `v2/${id.image}/manifests/${id.digest}`, base, manifest, manifest.createdAt) : null;
  }
}

function assetJson(ref: AssetRef, path: string, base: string, manifest: ManifestRecord | null, lastModified: Date): AssetJson {
  const [algorithm, hex] = ref.digest.split(':');
  return {
    id: assetId(ref),
    path,
    downloadUrl: `${base}/repository/${ref.repository}/${path}`,
    repository: ref.repository,
    format: 'docker',
    contentType: manifest?.mediaType ?? 'application/octet-stream',
    checksum: { [algorithm!]: hex },
    fileSize: manifest?.size ?? 0,
    lastModified: lastModified.toISOString(),
    lastDownloaded: manifest?.lastDownloadedAt?.toISOString() ?? null,
  };
}

interface Cursor {
  repository: string;
  last?: string;
}

function encodeToken(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

function decodeToken(token: string | undefined): Cursor | undefined {
  if (!token) return undefined;
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Cursor;
    if (typeof value.repository === 'string' && (value.last === undefined || typeof value.last === 'string')) return value;
  } catch {
    // fall through
  }
  throw new BadRequestException('continuationToken is not one this server issued');
}
