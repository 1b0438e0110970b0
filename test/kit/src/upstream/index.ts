/**
 * The misbehaving upstream: one registry harness for every tier. UpstreamRegistry serves from memory (unit tests)
 * or passes through to a real registry (integration, e2e); TokenServer and BlobOrigin are the token endpoint and
 * the object storage its faults send clients to.
 */
export * from './blob-origin';
export * from './requests';
export * from './served';
export * from './token-server';
export * from './upstream-registry';
export * from './per-test';
