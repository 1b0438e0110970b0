/**
 * The import directions of ARCHITECTURE.md, checked in CI (`npm run deps:check`):
 * oci <- blobstore <- registry-core <- persistence <- apps/server; web -> api-types only.
 */
const FRAMEWORKS = '^(@nestjs|typeorm|express|fastify|passport|better-sqlite3|class-validator|class-transformer)';
module.exports = {
  forbidden: [
    { name: 'oci-is-pure', severity: 'error', comment: 'libs/oci is protocol code: no other Wharf package, no framework',
      from: { path: '^libs/oci/' }, to: { path: ['^libs/(blobstore|registry-core|persistence|api-types)/', '^apps/', FRAMEWORKS], pathNot: '^libs/oci/' } },
    { name: 'blobstore-below-domain', severity: 'error', comment: 'libs/blobstore may use only oci',
      from: { path: '^libs/blobstore/' }, to: { path: ['^libs/(registry-core|persistence|api-types)/', '^apps/', FRAMEWORKS] } },
    { name: 'domain-has-no-infrastructure', severity: 'error', comment: 'registry-core sees ports, not TypeORM, Nest or HTTP frameworks',
      from: { path: '^libs/registry-core/src/' }, to: { path: ['^libs/(persistence|api-types)/', '^apps/', FRAMEWORKS] } },
    { name: 'persistence-below-server', severity: 'error', comment: 'persistence implements ports; it never reaches into the server',
      from: { path: '^libs/persistence/' }, to: { path: ['^apps/', '^libs/api-types/', '^(@nestjs|express|passport)'] } },
    { name: 'protocol-layer-sees-only-the-domain', severity: 'error',
      comment: 'apps/server/src/distribution talks to DockerRepository and oci only: no TypeORM, no persistence, no filesystem',
      from: { path: '^apps/server/src/distribution/' }, to: { path: ['^libs/persistence/', '^libs/blobstore/', '^typeorm', '^better-sqlite3', '^fs$', '^node:fs'] } },
    { name: 'api-types-are-plain', severity: 'error', from: { path: '^libs/api-types/' }, to: { path: ['^libs/(oci|blobstore|registry-core|persistence)/', '^apps/', FRAMEWORKS] } },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.depcruise.json' },
    combinedDependencies: false,
    preserveSymlinks: true,
  },
};
