import { type Descriptor, RegistryError } from '@wharf/oci';
import type { Page, PageRequest } from './page';
import type { ManifestIndex, TagIndex } from './ports';
import { referrerDescriptors } from './referrers';
import type { RepositoryConfigBase } from './repository-config';

/** The indexes a repository that stores content (hosted, proxy) lists it from. */
export interface StoredIndexes {
  manifests: ManifestIndex;
  tags: TagIndex;
}

/**
 * What hosted and proxy repositories share: their content is what their indexes hold, so tags, images and
 * referrers are listed the same way, and an offline one refuses everything. A group stores nothing and lists
 * through its members instead.
 */
export abstract class StoredRepository<C extends RepositoryConfigBase, D extends StoredIndexes> {
  protected constructor(
    protected readonly config: C,
    protected readonly deps: D,
  ) {}

  get name(): string {
    return this.config.name;
  }

  async listTags(image: string, page: PageRequest): Promise<Page<string>> {
    this.ensureOnline();
    const result = await this.deps.tags.list(this.name, image, page);
    if (result.items.length === 0 && !(await this.deps.manifests.hasImage(this.name, image))) {
      throw new RegistryError('NAME_UNKNOWN', this.unknownImage(image));
    }
    return result;
  }

  async listImages(page: PageRequest): Promise<Page<string>> {
    this.ensureOnline();
    return this.deps.tags.listImages(this.name, page);
  }

  async listReferrers(image: string, digest: string, artifactType?: string): Promise<Descriptor[]> {
    this.ensureOnline();
    return referrerDescriptors(await this.deps.manifests.referrers(this.name, image, digest), artifactType);
  }

  /** NAME_UNKNOWN's message for an image this repository holds nothing of. */
  protected abstract unknownImage(image: string): string;

  protected ensureOnline(): void {
    if (!this.config.online) throw new RegistryError('UNAVAILABLE', `repository ${this.name} is offline`);
  }
}
