import type { RequestListener } from 'node:http';
import { join } from 'node:path';
import { type DynamicModule, Global, Logger, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { type BlobStore, FileBlobStore } from '@wharf/blobstore';
import { MIGRATIONS } from '@wharf/migrations';
import {
  TypeOrmApiTokenStore,
  TypeOrmAuditLog,
  TypeOrmBlobClaims,
  TypeOrmCleanupPolicies,
  TypeOrmContentCatalog,
  TypeOrmGarbageLedger,
  TypeOrmTaskStore,
  TypeOrmUsageSamples,
  TypeOrmBlobLinks,
  TypeOrmBlobStoreConfigs,
  TypeOrmLoginAttemptStore,
  TypeOrmManifestIndex,
  TypeOrmRepositoryConfigs,
  TypeOrmRoleStore,
  TypeOrmSettings,
  TypeOrmTagIndex,
  TypeOrmUploadSessions,
  TypeOrmTokenKeys,
  TypeOrmUserStore,
  dialectOf,
  openCoordination,
  openDatabase,
} from '@wharf/persistence';
import {
  BlobFills,
  type ChangeFeed,
  CleanupPolicyStore,
  type DockerRepository,
  DownloadRecorder,
  GroupRepository,
  type HostedDependencies,
  HostedRepository,
  ManifestCache,
  ManifestIndex,
  ProxyRepository,
  ProxyState,
  RegistryClient,
  type RepositoryConfig,
  type RepositoryFactory,
  RepositoryManager,
  type RoleStore,
  type SettingsStore,
  type SharedLocks,
  TagIndex,
  UpstreamAddressPolicy,
  type UserStore,
  AddressList,
} from '@wharf/registry-core';
import type { DataSource } from 'typeorm';
import { AdminModule } from './admin/admin.module';
import { BlobStoreSpace } from './admin/status/blob-store-space';
import { DatabaseHealth } from './admin/status/database-health';
import { moveRemoteUrlCredentials } from './admin/repositories/remote-url-upgrade';
import type { WharfConfig } from './config/config';
import { prepareDataDir } from './config/data-dir';
import { ConnectorManager } from './connectors/connector-manager';
import { RegistryAccess } from './distribution/registry-access';
import { RegistryHandler } from './distribution/registry-handler';
import { HealthModule } from './health/health.module';
import { Readiness } from './health/readiness';
import { blobStoresCheck, databaseCheck, drainCheck } from './health/readiness-check';
import { JsonBodyMiddleware } from './http/json-body.middleware';
import { type RequestSink, observeRequests } from './http/request-observer';
import { WharfMetrics } from './metrics/wharf-metrics';
import { OpenApiModule } from './openapi/openapi.module';
import type { TlsCertificates } from './tls/tls-certificates';
import { blobStoreSealer, configSealer } from './secrets/config-sealer';
import { DrainState } from './runtime/drain-state';
import { BlobStores } from './blobstores/blob-stores';
import { SecretBox } from './secrets/secret-box';
import { checkSecretKey } from './secrets/secret-key-check';
import { announceWrites } from './replicas/announcing-stores';
import { exclusive } from './replicas/exclusive';
import { followOtherReplicas } from './replicas/follow-replicas';
import { AnonymousAccess } from './security/domain/anonymous-access';
import { ApiTokensService } from './security/domain/api-tokens.service';
import { AuditLog } from './security/domain/audit';
import { Authenticator } from './security/domain/authenticator';
import { RealmSettings } from './security/domain/realms';
import { RolesService } from './security/domain/roles.service';
import { SecurityModel } from './security/domain/security-model';
import { DEFAULT_THROTTLE_RULES, LoginThrottle } from './security/domain/throttle';
import { ClientAddresses } from './http/client-address';
import { UsersService } from './security/domain/users.service';
import { KeyRing } from './security/registry-realm/key-ring';
import { RealmRegistryAccess } from './security/registry-realm/realm-registry-access';
import { TokenService } from './security/registry-realm/token-service';
import { SecurityModule } from './security/security.module';
import { WharfSettings } from './settings';
import { UploadJanitor } from './tasks/upload-janitor';
import { BlobStoreUsage } from './blobstores/blob-store-usage';
import { LifecycleMetrics } from './tasks/lifecycle-metrics';
import { lifecycleTasks } from './tasks/lifecycle-tasks';
import { StorageLifecycle } from './tasks/storage-lifecycle';
import { TaskScheduler } from './tasks/task-scheduler';

/**
 * The composition root: the one place where Wharf's concrete classes are chosen and wired (storage
 * adapters, blob store, repository types, security services, registry realm) and handed to Nest's
 * injector. Everything else depends on ports and services; nothing else constructs an adapter.
 */
export interface Composition {
  database: DatabaseHealth;
  /** Whether the blob store takes writes (status/writable). */
  space: BlobStoreSpace;
  /** The built-in `default` store. */
  blobs: FileBlobStore;
  /** Every blob store by name (`default` and the configured S3 buckets). */
  blobStores: BlobStores;
  tags: TagIndex;
  manifests: ManifestIndex;
  manager: RepositoryManager;
  settings: SettingsStore;
  security: Security;
  server: WharfSettings;
  registry: RegistryHandler;
  connectors: ConnectorManager;
  janitor: UploadJanitor;
  /** Cleanup, eviction and garbage collection (the tasks and the REST API use it). */
  lifecycle: StorageLifecycle;
  /** The built-in tasks on their schedules, one run at a time across processes. */
  scheduler: TaskScheduler;
  policies: CleanupPolicyStore;
  usage: BlobStoreUsage;
  /** Last-pulled times, written in batches (flush before reading them for a decision). */
  downloads: DownloadRecorder;
  metrics: WharfMetrics;
  /** What readiness checks (the database, the blob store, shutdown); scale-out adds its own. */
  readiness: Readiness;
  /** Set when shutdown begins: readiness fails from then on. */
  drain: DrainState;
  /** Locks held across every process on the database (first-start work, one upstream fetch). */
  locks: SharedLocks;
  /** Wraps a port's listener: each request gets its client address (ClientAddresses) and is reported as it ends (metrics, access log). */
  observe(listener: RequestListener): RequestListener;
  /** Closes the database (after every listener is closed). */
  close(): Promise<void>;
}

/** The security services of one Wharf instance (no HTTP here: the registry realm and the REST guard use them). */
export interface Security {
  model: SecurityModel;
  users: UsersService;
  roles: RolesService;
  apiTokens: ApiTokensService;
  anonymous: AnonymousAccess;
  realms: RealmSettings;
  audit: AuditLog;
  authenticator: Authenticator;
  keys: KeyRing;
  tokens: TokenService;
  access: RegistryAccess;
}

const SQLITE_FILE = 'wharf.db';

/** Opens the storage of `config.dataDir` and builds one Wharf's objects (no port is bound yet); `onRequest` gets every finished request (the access log). */
export async function compose(config: WharfConfig, onRequest: RequestSink = () => {}, tls?: TlsCertificates): Promise<Composition> {
  const prepared = await prepareDataDir(config.dataDir, config.databaseUrl ? undefined : SQLITE_FILE);
  if (prepared.reserveReleased) {
    new Logger('Wharf').warn(`the disk of ${config.dataDir} is full: released its space reserve to start; reads work, uploads and fills are refused until space is freed`);
  }
  const db = await openDatabase({
    sqlitePath: join(config.dataDir, SQLITE_FILE),
    migrations: MIGRATIONS,
    ...(config.databaseUrl ? { url: config.databaseUrl } : {}),
    logging: config.logLevel === 'debug',
    sqlLog: (line) => Logger.debug(line, 'SQL'),
  });
  // Replicas on one PostgreSQL database tell each other of changes and share locks; on SQLite there is one process.
  const coordination = await openCoordination(db, config.databaseUrl, { warn: (message) => new Logger('Replicas').warn(message) });
  const { changes, locks } = coordination;
  const blobs = new FileBlobStore({ root: join(config.dataDir, 'blobs'), minFreeBytes: config.minFreeSpace ?? 0 });
  await blobs.init();
  const keyFile = config.secretKeyFile ?? join(config.dataDir, 'secrets', 'config.key');
  const box = await SecretBox.load(keyFile);
  const rawSettings = new TypeOrmSettings(db);
  await exclusive(locks, 'first-start', () => checkSecretKey(box, rawSettings, keyFile));
  const blobStoreConfigs = announceWrites(new TypeOrmBlobStoreConfigs(db, blobStoreSealer(box)), changes, 'blob-stores', { save: (c) => c.name, delete: (n) => n });
  const blobStores = new BlobStores(blobs, blobStoreConfigs);
  await blobStores.load();
  const tags = new TypeOrmTagIndex(db);
  const manifests = new TypeOrmManifestIndex(db);
  const uploads = new TypeOrmUploadSessions(db);
  const links = new TypeOrmBlobLinks(db);
  const usageLog = new Logger('Usage');
  const downloads = new DownloadRecorder(manifests, { onError: (err) => usageLog.warn(`last-downloaded times not written: ${err.message}`) });
  downloads.start();
  const metrics = new WharfMetrics();
  const clients = new ClientAddresses(AddressList.parse(config.trustedProxies ?? ''), config.forwardedHeader);
  const observe = (listener: RequestListener) =>
    observeRequests(clients.stamp(listener), (request) => {
      metrics.request(request);
      onRequest(request);
    });
  const upstreamPolicy = new UpstreamAddressPolicy(config.upstreamDeny);
  const claims = new TypeOrmBlobClaims(db);
  // Other processes on the database (replicas): hosted changes are announced, proxy fetches done by one of them.
  const replicated = dialectOf(config.databaseUrl) === 'postgres';
  const shared = replicated ? { announceChange: (name: string) => void changes.publish('content', name) } : undefined;
  const factory = repositoryFactory(
    blobStores,
    { manifests, tags, links, uploads, downloads, claims, ...(shared ? { shared } : {}) },
    { metrics, addressPolicy: upstreamPolicy, ...(replicated ? { locks } : {}) },
  );
  const repositoryConfigs = announceWrites(new TypeOrmRepositoryConfigs(db, configSealer(box)), changes, 'repositories', { save: (c) => c.name, delete: (n) => n });
  const manager = new RepositoryManager(repositoryConfigs, factory);
  await manager.load();
  const upgraded = await moveRemoteUrlCredentials(manager);
  if (upgraded.length > 0) {
    // The old rows' pages leave the WAL for the database file now, with their free space zeroed.
    if (!config.databaseUrl) await db.query('PRAGMA wal_checkpoint(TRUNCATE)');
    new Logger('Repositories').log(`moved credentials out of the remote URL of ${upgraded.join(', ')} (into httpClient.authentication)`);
  }
  metrics.watchRepositories(manager);
  const settings = announceWrites(rawSettings, changes, 'settings', { set: (key) => key });
  const server = new WharfSettings(config.port, config.baseUrl, config.dataDir, {
    upstreamPolicy,
    ...(config.allowPrivilegedPorts !== undefined ? { allowPrivilegedPorts: config.allowPrivilegedPorts } : {}),
    tls: tls !== undefined,
    ...(config.httpsPort !== undefined ? { mainHttpsPort: config.httpsPort } : {}),
  });
  const security = await composeSecurity(config, db, settings, manager, server, { changes, locks, box });
  const registry = new RegistryHandler(manager, security.access, new Logger('Registry'));
  const drain = new DrainState();
  const connectors = new ConnectorManager(config.host, (repository) => observe(registry.connector(repository)), tls);
  followOtherReplicas(changes, {
    users: { store: security.userStore, service: security.users },
    roles: security.roleStore,
    model: security.model,
    anonymous: security.anonymous,
    realms: security.realms,
    manager,
    connectors,
    blobStores,
    keys: security.keys,
    log: new Logger('Replicas'),
  });
  // Changes announced while this process loaded its state are delivered from here on.
  coordination.resume();
  const janitor = new UploadJanitor(() => blobStores.all().map((store) => store.uploads), uploads, new Logger('Uploads'));
  const lifecycleParts = composeLifecycle(db, { blobStores, manager, downloads, metrics, settings, janitor, ...(shared ? { shared } : {}) });
  if (!config.databaseUrl) await abandonWorkOfDeadProcess(db);
  const database: DatabaseHealth = { check: async () => void (await db.query('SELECT 1')) };
  return {
    database,
    space: { writeProblem: () => blobs.floor.problem() },
    blobs,
    blobStores,
    tags,
    manifests,
    manager,
    settings,
    security,
    server,
    registry,
    connectors,
    janitor,
    ...lifecycleParts,
    downloads,
    metrics,
    observe,
    close: async () => {
      blobStores.close();
      await coordination.close();
      await db.destroy();
    },
    readiness: new Readiness([databaseCheck(database, dialectOf(config.databaseUrl)), blobStoresCheck(() => blobStores.names().map((name) => [name, name === 'default' ? { availableSpace: () => blobs.availableSpace(), writeProblem: () => blobs.floor.problem() } : blobStores.require(name)])), drainCheck(drain)]),
    drain,
    locks,
  };
}

/** Hosted, proxy and group repositories over the metadata indexes and the blob store each one names. */
function repositoryFactory(
  blobStores: BlobStores,
  stores: Omit<HostedDependencies, 'manifestCache' | 'blobs'>,
  proxies: { metrics: WharfMetrics; addressPolicy: UpstreamAddressPolicy; locks?: SharedLocks },
): RepositoryFactory {
  const { metrics, addressPolicy, locks } = proxies;
  const { manifests, tags, links, uploads, downloads, claims, shared } = stores;
  const manifestCache = new ManifestCache();
  // One fill per digest and store: proxies on different stores each fill their own.
  const fillsByStore = new Map<BlobStore, BlobFills>();
  const fillsOf = (store: BlobStore) => fillsByStore.get(store) ?? fillsByStore.set(store, new BlobFills()).get(store)!;
  // Proxy health and counters outlive the repository instance, which is rebuilt on every update.
  const proxyStates = new Map<string, ProxyState>();
  const proxyLog = new Logger('Proxy');
  const groupLog = new Logger('Group');
  return (repo: RepositoryConfig, manager: RepositoryManager): DockerRepository => {
    switch (repo.type) {
      case 'hosted': {
        const blobs = blobStores.require(repo.storage.blobStoreName);
        return new HostedRepository(repo, { blobs, manifests, tags, links, uploads, manifestCache, downloads, claims, ...(shared ? { shared } : {}) });
      }
      case 'proxy': {
        const state = proxyStates.get(repo.name) ?? new ProxyState();
        proxyStates.set(repo.name, state);
        const auth = repo.httpClient.authentication;
        const client = new RegistryClient({
          remoteUrl: repo.proxy.remoteUrl,
          credentials: auth ? { username: auth.username, password: auth.password } : null,
          onRequest: (kind, status, seconds) => {
            state.countRequest(kind);
            metrics.upstream(repo.name, kind, status, seconds);
          },
          addressPolicy,
        });
        const blobs = blobStores.require(repo.storage.blobStoreName);
        return new ProxyRepository(repo, { blobs, manifests, tags, links, manifestCache, downloads, claims, fills: fillsOf(blobs), ...(locks ? { locks } : {}), client, state, log: proxyLog });
      }
      case 'group':
        return new GroupRepository(repo, {
          resolve: (name) => manager.get(name),
          mirrors: (name) => {
            const member = manager.config(name);
            if (member?.type !== 'proxy') return undefined;
            const host = new URL(member.proxy.remoteUrl).host;
            return member.dockerProxy.indexType === 'HUB' ? [host, 'docker.io'] : [host];
          },
          log: groupLog,
        });
    }
  };
}

/**
 * The embedded SQLite database belongs to this process alone: task leases and decided blob deletions still
 * recorded at start-up were left by a process that stopped without finishing them (killed, crashed). They
 * are freed now, so that the next run starts at once and finishes that work, instead of after the leases
 * run out (1 and 2 minutes), which is what happens on PostgreSQL, where another process may hold them.
 */
async function abandonWorkOfDeadProcess(db: DataSource): Promise<void> {
  const runs = await new TypeOrmTaskStore(db).abandonLeases();
  const deletions = await new TypeOrmGarbageLedger(db).abandonDeletions();
  if (runs + deletions > 0) {
    new Logger('Tasks').warn(`the last process stopped during a task: ${runs} run(s) marked INTERRUPTED, ${deletions} decided blob deletion(s) left for the next collection`);
  }
}

/** Cleanup policies, tasks, garbage collection and blob store usage over the database and every store. */
function composeLifecycle(
  db: DataSource,
  parts: {
    blobStores: BlobStores;
    manager: RepositoryManager;
    downloads: DownloadRecorder;
    metrics: WharfMetrics;
    settings: SettingsStore;
    janitor: UploadJanitor;
    shared?: { announceChange(repository: string): void };
  },
): Pick<Composition, 'lifecycle' | 'scheduler' | 'policies' | 'usage'> {
  const { blobStores, manager, downloads, metrics, settings, janitor, shared } = parts;
  const policies = new TypeOrmCleanupPolicies(db);
  const usage = new BlobStoreUsage(blobStores, new TypeOrmUsageSamples(db), settings);
  const log = new Logger('Tasks');
  const lifecycleMetrics = new LifecycleMetrics(metrics, usage);
  const lifecycle = new StorageLifecycle(new TypeOrmContentCatalog(db), policies, new TypeOrmGarbageLedger(db), manager, downloads, {
    stores: () => blobStores.names().map((name) => ({ name, store: blobStores.require(name) })),
    onCollected: (store, result) => {
      lifecycleMetrics.collected(store, result);
      // The collection listed the whole store: its figures, less what it deleted, are the store's size now.
      usage
        .record(store, result.blobsScanned - result.blobsDeleted, result.bytesScanned - result.bytesFreed)
        .catch((err: Error) => log.warn(`usage of ${store} not recorded: ${err.message}`));
    },
    onRemoved: (repository, kind, count) => lifecycleMetrics.removedContent(repository, kind, count),
    ...(shared ? { shared } : {}),
  });
  const scheduler = new TaskScheduler(new TypeOrmTaskStore(db), lifecycleTasks({ lifecycle, usage, stores: blobStores, janitor }), {
    log,
    onRunFinished: (definition, result, seconds) => lifecycleMetrics.taskFinished(definition.id, result, seconds),
  });
  return { lifecycle, scheduler, policies, usage };
}

async function composeSecurity(
  config: WharfConfig,
  db: DataSource,
  settings: SettingsStore,
  manager: RepositoryManager,
  server: WharfSettings,
  shared: { changes: ChangeFeed; locks: SharedLocks; box: SecretBox },
): Promise<Security & { userStore: UserStore; roleStore: RoleStore }> {
  const { changes, locks } = shared;
  const model = new SecurityModel();
  const userStore = announceWrites(new TypeOrmUserStore(db), changes, 'users', { save: (u) => u.userId, delete: (id) => id });
  const roleStore = announceWrites(new TypeOrmRoleStore(db), changes, 'roles', { save: (r) => r.id, delete: (id) => id });
  model.load(await userStore.list(), await roleStore.list());
  const users = new UsersService(userStore, model);
  const roles = new RolesService(roleStore, model);
  const apiTokens = new ApiTokensService(new TypeOrmApiTokenStore(db), model);
  const anonymous = new AnonymousAccess(settings);
  await anonymous.load();
  const realms = new RealmSettings(settings);
  await realms.load();
  const audit = new AuditLog(new TypeOrmAuditLog(db), new Logger('Audit'));
  // Login failures are counted in the database: every replica sees the same counts, and a restart forgets nothing.
  const loginAttempts = new TypeOrmLoginAttemptStore(db);
  const authenticator = new Authenticator(users, apiTokens, new LoginThrottle(loginAttempts, config.loginThrottle ?? DEFAULT_THROTTLE_RULES), audit);
  const keys = await KeyRing.load(new TypeOrmTokenKeys(db, shared.box), {
    exclusive: (work) => exclusive(locks, 'token-key-rotation', work),
    announce: () => changes.publish('token-keys', 'rotated'),
    legacyFile: join(config.dataDir, 'secrets', 'token-keys.json'),
  });
  const tokens = new TokenService(keys);
  const access = new RealmRegistryAccess(model, authenticator, anonymous, realms, manager, tokens, server);
  return { model, users, roles, apiTokens, anonymous, realms, audit, authenticator, keys, tokens, access, userStore, roleStore };
}

/** Hands the composed objects to Nest's injector, by the class (or port) their users ask for. */
@Global()
@Module({})
class CompositionModule {
  static register(c: Composition): DynamicModule {
    const s = c.security;
    const providers = [
      { provide: DatabaseHealth, useValue: c.database },
      { provide: BlobStoreSpace, useValue: c.space },
      { provide: BlobStores, useValue: c.blobStores },
      { provide: RepositoryManager, useValue: c.manager },
      { provide: TagIndex, useValue: c.tags },
      { provide: ManifestIndex, useValue: c.manifests },
      { provide: DownloadRecorder, useValue: c.downloads },
      { provide: StorageLifecycle, useValue: c.lifecycle },
      { provide: TaskScheduler, useValue: c.scheduler },
      { provide: CleanupPolicyStore, useValue: c.policies },
      { provide: BlobStoreUsage, useValue: c.usage },
      { provide: WharfMetrics, useValue: c.metrics },
      { provide: Readiness, useValue: c.readiness },
      { provide: DrainState, useValue: c.drain },
      { provide: WharfSettings, useValue: c.server },
      { provide: RegistryHandler, useValue: c.registry },
      { provide: ConnectorManager, useValue: c.connectors },
      { provide: RegistryAccess, useValue: s.access },
      { provide: AnonymousAccess, useValue: s.anonymous },
      { provide: SecurityModel, useValue: s.model },
      { provide: UsersService, useValue: s.users },
      { provide: RolesService, useValue: s.roles },
      { provide: ApiTokensService, useValue: s.apiTokens },
      { provide: RealmSettings, useValue: s.realms },
      { provide: AuditLog, useValue: s.audit },
      { provide: Authenticator, useValue: s.authenticator },
      { provide: TokenService, useValue: s.tokens },
    ];
    return { module: CompositionModule, providers, exports: providers.map((p) => p.provide) };
  }
}

/** The Nest application: the composition, the REST API's modules, and JSON bodies parsed for every route. */
@Module({})
export class WharfModule implements NestModule {
  static register(c: Composition): DynamicModule {
    return { module: WharfModule, imports: [CompositionModule.register(c), SecurityModule, AdminModule, HealthModule, OpenApiModule] };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(JsonBodyMiddleware).forRoutes('*');
  }
}
