import type { BlobInfo, BlobSource } from '@wharf/blobstore';
import { type Descriptor, type ErrorCode, RegistryError, isDigestReference, isRegistryError, parseManifest, requiredBlobs } from '@wharf/oci';
import {
  type BlobHandle,
  type DockerRepository,
  type ManifestHandle,
  type MountSource,
  type PutManifestResult,
  type ReadView,
  type UploadStatus,
  drainBody,
} from '../docker-repository';
import { MAX_PAGE_SIZE, type Page, type PageRequest, pageSize } from '../page';
import type { GroupConfig } from '../repository-config';
import { LoginRequired } from './login-required';

export interface GroupDependencies {
  /** Looks a member up at call time, so member updates take effect without rebuilding the group. */
  resolve(name: string): DockerRepository | undefined;
  /**
   * The registries a proxy member mirrors, for containerd's `ns=` routing: its remote URL's host, and
   * `docker.io` when its index type is HUB (a corporate Docker Hub mirror is still Docker Hub).
   * Undefined for hosted and group members.
   */
  mirrors(name: string): string[] | undefined;
  log: { warn(message: string): void };
}

/** Answers that a member hidden from the caller might have changed: not found, or a readable member's upstream down. */
const MIGHT_BE_HIDDEN = new Set<ErrorCode>(['MANIFEST_UNKNOWN', 'BLOB_UNKNOWN', 'NAME_UNKNOWN', 'UNAVAILABLE']);

const DOCKER_HUB_ALIASES = new Set(['docker.io', 'registry-1.docker.io', 'index.docker.io', 'registry.hub.docker.com']);

function sameRegistry(a: string, b: string): boolean {
  const norm = (h: string) => (DOCKER_HUB_ALIASES.has(h.toLowerCase()) ? 'docker.io' : h.toLowerCase());
  return norm(a) === norm(b);
}

/** Remembers which member served an image's manifest, so its blobs are asked there first. */
class Affinity {
  private readonly byImage = new Map<string, string>();
  get(image: string): string | undefined {
    return this.byImage.get(image);
  }
  set(image: string, member: string): void {
    if (this.byImage.size > 10_000) this.byImage.clear();
    this.byImage.set(image, member);
  }
}

/**
 * One endpoint over ordered members: reads ask the members in order (a hosted member answers from its
 * store, a proxy may go upstream); tags and catalogs are merged; writes go to the writable member.
 */
export class GroupRepository implements DockerRepository {
  readonly type = 'group' as const;
  private readonly affinity = new Affinity();

  constructor(
    private readonly config: GroupConfig,
    private readonly deps: GroupDependencies,
    private readonly view: ReadView = {},
  ) {}

  get name(): string {
    return this.config.name;
  }

  /** The group as one caller sees it: only members it may read, ordered for containerd's `ns=` when given. */
  restrictTo(view: ReadView): DockerRepository {
    return new GroupRepository(this.config, this.deps, view);
  }

  /** The member that takes pushes (its configured writable member). */
  writeTarget(): DockerRepository {
    this.ensureOnline();
    const name = this.config.group.writableMember;
    const member = name ? this.deps.resolve(name) : undefined;
    if (!member) throw new RegistryError('DENIED', `group ${this.name} has no writable member; push to a hosted repository or set group.writableMember`);
    return member;
  }

  /**
   * The hosted and proxy repositories this group reaches, in member order, each once: nested groups are
   * walked in place. With a view, only those the caller may read (`canRead` is asked of each of them).
   */
  leafMembers(seen = new Set<string>([this.name])): DockerRepository[] {
    return this.config.group.memberNames.flatMap((name) => {
      if (seen.has(name)) return [];
      seen.add(name);
      const member = this.deps.resolve(name);
      if (member instanceof GroupRepository) return member.leafMembers(seen).filter((m) => this.view.canRead?.(m.name) ?? true);
      return member && (this.view.canRead?.(name) ?? true) ? [member] : [];
    });
  }

  // --- reads ------------------------------------------------------------------------------------

  /**
   * A tag is the first member's (in order) that has it, as Browse shows; a digest is the same content wherever it
   * is, so the member that served the image last is asked first.
   */
  getManifest(image: string, reference: string, accept?: string): Promise<ManifestHandle | null> {
    return this.read(image, reference, async () => {
      const members = isDigestReference(reference) ? this.ordered(image) : this.members();
      const found = await this.first(members, (m) => m.getManifest(image, reference, accept));
      if (found) this.affinity.set(image, found.member);
      return found?.value ?? null;
    });
  }

  /**
   * Only what members hold already: Docker checks blobs this way before pushing, and that check must neither
   * fail when an upstream is down nor tell a remote registry the names and digests of private images.
   */
  statBlob(image: string, digest: string): Promise<BlobInfo | null> {
    const ask = (m: DockerRepository) => m.statBlob(image, digest, { cachedOnly: true }).catch(() => null);
    return this.read(image, digest, async () => (await this.first(this.ordered(image), ask))?.value ?? null);
  }

  getBlob(image: string, digest: string): Promise<BlobHandle | null> {
    return this.read(image, digest, async () => (await this.first(this.ordered(image), (m) => m.getBlob(image, digest)))?.value ?? null);
  }

  listTags(image: string, page: PageRequest): Promise<Page<string>> {
    return this.read(image, undefined, async () => {
      const lists = await this.all(this.members(), async (m) => (await m.listTags(image, { n: pageSize(page) + 1, ...(page.last ? { last: page.last } : {}) })).items);
      if (lists.every((l) => l === null)) throw new RegistryError('NAME_UNKNOWN', `no member of group ${this.name} has ${image}`);
      return mergePage(lists, page);
    });
  }

  async listImages(page: PageRequest): Promise<Page<string>> {
    this.ensureOnline();
    const lists = await this.all(this.members(), async (m) => (await m.listImages({ n: pageSize(page) + 1, ...(page.last ? { last: page.last } : {}) })).items);
    return mergePage(lists, page);
  }

  async listReferrers(image: string, digest: string, artifactType?: string): Promise<Descriptor[]> {
    this.ensureOnline();
    const lists = await this.all(this.members(), (m) => m.listReferrers(image, digest, artifactType));
    const seen = new Map<string, Descriptor>();
    for (const list of lists) for (const d of list ?? []) if (!seen.has(d.digest)) seen.set(d.digest, d);
    return [...seen.values()];
  }

  // --- writes: the writable member --------------------------------------------------------------

  startUpload(image: string): Promise<UploadStatus> {
    return this.writable().startUpload(image);
  }
  getUpload(image: string, id: string): Promise<UploadStatus> {
    return this.writable().getUpload(image, id);
  }
  appendUpload(image: string, id: string, body: BlobSource, start?: number): Promise<UploadStatus> {
    return this.writable(body).appendUpload(image, id, body, start);
  }
  finishUpload(image: string, id: string, digest: string, body?: BlobSource): Promise<BlobInfo> {
    return this.writable(body).finishUpload(image, id, digest, body);
  }
  cancelUpload(image: string, id: string): Promise<void> {
    return this.writable().cancelUpload(image, id);
  }
  putBlob(image: string, digest: string, body: BlobSource): Promise<BlobInfo> {
    return this.writable(body).putBlob(image, digest, body);
  }
  mountBlob(image: string, digest: string, from: MountSource): Promise<BlobInfo | null> {
    return this.writable().mountBlob(image, digest, from);
  }
  /**
   * Blob checks on the group also see what other members hold (e.g. a base image's layers in a proxy's cache),
   * so the client may not have uploaded them: link them into the writable member first, from members this
   * caller may read (a cross-repository mount; the bytes are content addressed and already stored).
   */
  async putManifest(image: string, reference: string, bytes: Buffer, contentType?: string): Promise<PutManifestResult> {
    const target = this.writable();
    let blobs: string[] = [];
    try {
      blobs = requiredBlobs(parseManifest(bytes, contentType)).map((d) => d.digest);
    } catch {
      // Invalid: the writable member refuses it with the precise error.
    }
    for (const digest of blobs) {
      if (await target.statBlob(image, digest, { cachedOnly: true })) continue;
      for (const member of this.members()) {
        if (member.name === target.name || !(await member.statBlob(image, digest, { cachedOnly: true }).catch(() => null))) continue;
        await target.mountBlob(image, digest, { repository: member, image });
        break;
      }
    }
    return target.putManifest(image, reference, bytes, contentType);
  }
  deleteManifest(image: string, digest: string): Promise<void> {
    return this.writable().deleteManifest(image, digest);
  }
  deleteTag(image: string, tag: string): Promise<void> {
    return this.writable().deleteTag(image, tag);
  }
  deleteBlob(image: string, digest: string): Promise<void> {
    return this.writable().deleteBlob(image, digest);
  }

  // --- internals --------------------------------------------------------------------------------

  /**
   * One read of an image. For a caller that must log in to see some members (`loginForHidden`): a hidden
   * member that holds the reference locally makes it log in before any member goes upstream (an anonymous
   * request must not make a proxy tell a remote registry the names of private images), and "not found" from
   * the members it may read becomes a login request too, since a hidden member might have it.
   */
  private async read<T>(image: string, reference: string | undefined, ask: () => Promise<T>): Promise<T> {
    this.ensureOnline();
    // A routing miss (containerd names a registry no member mirrors) is "not found", never a login request:
    // a 401 there would stop containerd from falling back to the registry itself.
    const hidden = this.view.loginForHidden && !this.routingMiss() ? this.hiddenMembers() : [];
    if (hidden.length === 0) return ask();
    if (reference !== undefined && (await anyHolds(hidden, image, reference))) throw new LoginRequired(this.name);
    try {
      const value = await ask();
      if (value !== null) return value;
    } catch (err) {
      if (!isRegistryError(err) || !MIGHT_BE_HIDDEN.has(err.code)) throw err;
    }
    throw new LoginRequired(this.name);
  }

  /** Members this caller may not read (as themselves, unrestricted: only their local content is looked at). */
  private hiddenMembers(): DockerRepository[] {
    const canRead = this.view.canRead;
    if (!canRead) return [];
    return this.config.group.memberNames.flatMap((name) => {
      const member = canRead(name) ? undefined : this.deps.resolve(name);
      return member ? [member] : [];
    });
  }

  /** Members this caller may read, in configured order; with `ns`, proxies of that registry first and other proxies left out. */
  private members(): DockerRepository[] {
    const names = this.config.group.memberNames.filter((n) => this.view.canRead?.(n) ?? true);
    let ordered = names;
    const ns = this.view.ns;
    if (ns) {
      const matching = names.filter((n) => this.mirrorsNs(n, ns));
      const local = names.filter((n) => this.deps.mirrors(n) === undefined);
      ordered = [...matching, ...local];
    }
    const members: DockerRepository[] = [];
    for (const name of ordered) {
      const member = this.deps.resolve(name);
      if (!member) continue;
      members.push(this.view.canRead || this.view.ns ? restrict(member, this.view) : member);
    }
    return members;
  }

  private mirrorsNs(name: string, ns: string): boolean {
    return (this.deps.mirrors(name) ?? []).some((host) => sameRegistry(host, ns));
  }

  /** `ns` names a registry that no proxy reached through this group mirrors (readable by the caller or not). */
  private routingMiss(): boolean {
    const ns = this.view.ns;
    return ns !== undefined && !this.reachesMirrorOf(ns, new Set([this.name]));
  }

  private reachesMirrorOf(ns: string, seen: Set<string>): boolean {
    return this.config.group.memberNames.some((name) => {
      if (seen.has(name)) return false;
      seen.add(name);
      const member = this.deps.resolve(name);
      return member instanceof GroupRepository ? member.reachesMirrorOf(ns, seen) : this.mirrorsNs(name, ns);
    });
  }

  /** Members with the one that served this image's manifest first (its blobs are most likely there). */
  private ordered(image: string): DockerRepository[] {
    const members = this.members();
    const preferred = this.affinity.get(image);
    if (!preferred) return members;
    return [...members.filter((m) => m.name === preferred), ...members.filter((m) => m.name !== preferred)];
  }

  /** The first member with an answer; member failures are skipped, and reported only if nobody answers. */
  private async first<T>(members: DockerRepository[], ask: (m: DockerRepository) => Promise<T | null>): Promise<{ value: T; member: string } | null> {
    let failure: RegistryError | undefined;
    for (const member of members) {
      try {
        const value = await ask(member);
        if (value !== null) return { value, member: member.name };
      } catch (err) {
        if (!isRegistryError(err)) throw err;
        if (err.code === 'NAME_UNKNOWN') continue;
        // A nested group asking this caller to log in is an answer, not a failure.
        if (!(err instanceof LoginRequired)) this.deps.log.warn(`group ${this.name}: member ${member.name} failed: ${err.message}`);
        // Passed on first: a login request (the caller may see more once logged in), then a rate limit (clients
        // back off), otherwise the first failure.
        if (!failure || rank(err) > rank(failure)) failure = err;
      }
    }
    if (failure) throw failure;
    return null;
  }

  /** Every member's answer (null where it has none or failed). */
  private async all<T>(members: DockerRepository[], ask: (m: DockerRepository) => Promise<T>): Promise<(T | null)[]> {
    return Promise.all(
      members.map(async (member) => {
        try {
          return await ask(member);
        } catch (err) {
          if (!isRegistryError(err)) throw err;
          if (err.code !== 'NAME_UNKNOWN' && !(err instanceof LoginRequired)) this.deps.log.warn(`group ${this.name}: member ${member.name} failed: ${err.message}`);
          return null;
        }
      }),
    );
  }

  /** The writable member; a request body nobody will read is drained first when there is none. */
  private writable(body?: BlobSource): DockerRepository {
    this.ensureOnline();
    try {
      return this.writeTarget();
    } catch (err) {
      drainBody(body);
      throw err;
    }
  }

  private ensureOnline(): void {
    if (!this.config.online) throw new RegistryError('UNAVAILABLE', `repository ${this.name} is offline`);
  }
}

/** Which member failure a group passes on when no member answers: the highest rank, else the first. */
function rank(err: RegistryError): number {
  return err instanceof LoginRequired ? 2 : err.code === 'TOOMANYREQUESTS' ? 1 : 0;
}

/** Does one of these members hold a tag, or a manifest or blob by digest? Local lookups only: nobody goes upstream. */
async function anyHolds(members: DockerRepository[], image: string, reference: string): Promise<boolean> {
  for (const member of members) {
    try {
      if (isDigestReference(reference)) {
        if (await member.statBlob(image, reference, { cachedOnly: true })) return true;
      } else if ((await member.listTags(image, { n: MAX_PAGE_SIZE, last: reference.slice(0, -1) })).items.includes(reference)) {
        // Tags are sorted: the page after the tag minus its last character starts at the tag when it exists.
        return true;
      }
    } catch {
      // NAME_UNKNOWN (or an offline member): it does not hold it.
    }
  }
  return false;
}

function restrict(member: DockerRepository, view: ReadView): DockerRepository {
  return member.restrictTo ? member.restrictTo(view) : member;
}

/** Merges sorted lists from several members into one deduplicated, sorted page after `last`. */
function mergePage(lists: (string[] | null)[], page: PageRequest): Page<string> {
  const limit = pageSize(page);
  const all = new Set<string>();
  for (const list of lists) for (const item of list ?? []) if (!page.last || item > page.last) all.add(item);
  const sorted = [...all].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (sorted.length <= limit) return { items: sorted };
  const items = sorted.slice(0, limit);
  return { items, next: items[items.length - 1]! };
}
