/**
 * The import directions of ARCHITECTURE.md, checked in CI (`npm run deps:check`):
 * oci <- blobstore <- registry-core <- persistence <- apps/server; web -> api-types only; oci and registry-core may
 * name api-types' plain shapes (type-only imports), so a descriptor or a task schedule is defined once;
 * inside the server, only the composition root sees persistence. native-io (the native I/O addon) sits at the
 * bottom with oci: blobstore and the upstream client use it.
 */
// npm packages resolve to node_modules/<name>/...
const FRAMEWORKS = '(^|/)node_modules/(@nestjs|typeorm|express|fastify|passport[^/]*|better-sqlite3|class-validator|class-transformer)/';
const DATABASE = '(^|/)node_modules/(typeorm|better-sqlite3|pg)/';
module.exports = {
  forbidden: [
    { name: 'oci-is-pure', severity: 'error', comment: 'libs/oci is protocol code: no other Wharf package, no framework',
      from: { path: '^libs/oci/' }, to: { path: ['^libs/(native-io|blobstore|registry-core|persistence)/', '^apps/', FRAMEWORKS], pathNot: '^libs/oci/' } },
    { name: 'native-io-at-the-bottom', severity: 'error', comment: 'libs/native-io wraps the addon: no other Wharf package, no framework',
      from: { path: '^libs/native-io/' }, to: { path: ['^libs/(oci|blobstore|registry-core|persistence|api-types)/', '^apps/', FRAMEWORKS] } },
    { name: 'blobstore-below-domain', severity: 'error', comment: 'libs/blobstore may use only oci and native-io',
      from: { path: '^libs/blobstore/' }, to: { path: ['^libs/(registry-core|persistence|api-types)/', '^apps/', FRAMEWORKS] } },
    { name: 'upstream-client-knows-no-store', severity: 'error', comment: 'the upstream client hands bodies over as IncomingBody shapes; it never imports the blob store',
      from: { path: '^libs/registry-core/src/upstream/', pathNot: '\\.test\\.ts$' }, to: { path: '^libs/blobstore/' } },
    { name: 'domain-has-no-infrastructure', severity: 'error', comment: 'registry-core sees ports, not TypeORM, Nest or HTTP frameworks',
      from: { path: '^libs/registry-core/src/' }, to: { path: ['^libs/persistence/', '^apps/', FRAMEWORKS] } },
    { name: 'protocol-and-domain-take-only-types-from-api-types', severity: 'error',
      comment: 'oci and registry-core may name the plain shapes of libs/api-types (one definition of a descriptor, a schedule, the proxy counters), never run its code',
      from: { path: '^libs/(oci|registry-core)/src/' }, to: { path: '^libs/api-types/', dependencyTypesNot: ['type-only'] } },
    { name: 'persistence-below-server', severity: 'error', comment: 'persistence implements ports; it never reaches into the server',
      from: { path: '^libs/persistence/' }, to: { path: ['^apps/', '^libs/api-types/', '(^|/)node_modules/(@nestjs|express|passport[^/]*)/'] } },
    { name: 'protocol-layer-sees-only-the-domain', severity: 'error',
      comment: 'apps/server/src/distribution talks to DockerRepository and oci only: no TypeORM, no persistence, no filesystem',
      from: { path: '^apps/server/src/distribution/' }, to: { path: ['^libs/persistence/', '^libs/blobstore/', '^libs/native-io/', DATABASE, '^(node:)?fs($|/)'] } },
    { name: 'rest-api-and-security-see-no-persistence', severity: 'error',
      comment: 'admin/, security/ and http/ work on ports and domain services: no persistence package, no database library',
      from: { path: '^apps/server/src/(admin|security|http)/' }, to: { path: ['^libs/persistence/', '^migrations/', DATABASE] } },
    { name: 'only-the-composition-root-picks-adapters', severity: 'error',
      comment: 'apps/server/src/composition-root.ts alone constructs the TypeORM adapters and opens the database; the server and its tests see ports (the installation migration tool is a composition root of its own: it opens two databases)',
      from: { path: '^apps/', pathNot: '^apps/server/src/(composition-root|migration/migrate-installation)\\.ts$' }, to: { path: ['^libs/persistence/', '^migrations/', DATABASE] } },
    { name: 'web-sees-only-api-types', severity: 'error', comment: 'the admin UI talks to the server over HTTP; it shares only the REST types',
      from: { path: '^web/' }, to: { path: ['^libs/(oci|native-io|blobstore|registry-core|persistence)/', '^apps/', '^migrations/', FRAMEWORKS] } },
    { name: 'api-types-are-plain', severity: 'error', from: { path: '^libs/api-types/' }, to: { path: ['^libs/(oci|blobstore|registry-core|persistence)/', '^apps/', FRAMEWORKS] } },
    { name: 'test-kit-stands-alone', severity: 'error',
      comment: 'test/kit builds content and talks HTTP by the specs, so tests check Wharf against them, not against Wharf itself',
      from: { path: '^test/kit/' }, to: { path: ['^libs/', '^apps/', '^migrations/', '^web/'] } },
    { name: 'production-code-never-imports-tests', severity: 'error', comment: 'test helpers and the test kit stay out of what ships',
      from: { path: '^(libs|apps)/[^/]+/src/', pathNot: '\\.test\\.ts$' }, to: { path: ['^test/', '^(libs|apps)/[^/]+/test/'] } },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // node_modules is not followed, but kept as a target: the framework rules look at imports of npm packages.
    exclude: { path: '(^|/)dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.depcruise.json' },
    combinedDependencies: false,
    preserveSymlinks: true,
  },
};
