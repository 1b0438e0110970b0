/**
 * @wharf/test-kit: the helpers every test tier shares (unit tests of libs/, the server's integration
 * tests, the end-to-end suites). It imports no Wharf code: tests check Wharf against the specs, not
 * against itself. See ../README.md for what is where.
 */
export * from './content';
export * from './digest';
export * from './disk-image';
export * from './media-types';
export * from './oci-layout';
export * from './outcomes';
export * from './random-layer';
export * from './streams';
export * from './upstream';
