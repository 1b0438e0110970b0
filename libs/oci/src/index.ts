// Public API of @wharf/oci: pure registry protocol code, no I/O.
export * from './errors';
export * from './digest';
export * from './mediatypes';
export { type Descriptor, type Platform, validateDescriptor } from './descriptor';
export * from './manifest';
export * from './names';
export * from './range';
export * from './auth';
