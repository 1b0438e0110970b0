import { Injectable } from '@nestjs/common';
import type { ComponentJson, PageJson } from '@wharf/api-types';
import { RepositoryManager, RepositoryNotFoundError, type TagRecord } from '@wharf/registry-core';
import { TypeOrmManifestIndex, TypeOrmTagIndex } from '@wharf/persistence';

const PAGE_SIZE = 100;

/** The browse view: one component per image tag, its manifest as the asset (Nexus's /v1/components shape). */
@Injectable()
export class ComponentsService {
  constructor(
    private readonly manager: RepositoryManager,
    private readonly tags: TypeOrmTagIndex,
    private readonly manifests: TypeOrmManifestIndex,
  ) {}

  async list(repository: string, continuationToken: string | undefined, base: string): Promise<PageJson<ComponentJson>> {
    if (!this.manager.config(repository)) throw new RepositoryNotFoundError(`repository ${repository} does not exist`);
    const last = continuationToken ? Buffer.from(continuationToken, 'base64url').toString('utf8') : undefined;
    const page = await this.tags.listAll(repository, { n: PAGE_SIZE, ...(last ? { last } : {}) });
    const items = await Promise.all(page.items.map((tag) => this.component(repository, tag, base)));
    return {
      items,
      continuationToken: page.next ? Buffer.from(page.next, 'utf8').toString('base64url') : null,
    };
  }

  private async component(repository: string, tag: TagRecord, base: string): Promise<ComponentJson> {
    const manifest = await this.manifests.get(repository, tag.image, tag.digest);
    const id = Buffer.from(`${repository}:${tag.image}:${tag.name}`).toString('base64url');
    const path = `v2/${tag.image}/manifests/${tag.name}`;
    const [algorithm, hex] = tag.digest.split(':');
    return {
      id,
      repository,
      format: 'docker',
      group: null,
      name: tag.image,
      version: tag.name,
      assets: [
        {
          id: Buffer.from(`${repository}:${tag.image}@${tag.digest}`).toString('base64url'),
          path,
          downloadUrl: `${base}/repository/${repository}/${path}`,
          repository,
          format: 'docker',
          contentType: manifest?.mediaType ?? 'application/octet-stream',
          checksum: { [algorithm!]: hex },
          fileSize: manifest?.size ?? 0,
          lastModified: tag.updatedAt.toISOString(),
          lastDownloaded: manifest?.lastDownloadedAt?.toISOString() ?? null,
        },
      ],
    };
  }
}
