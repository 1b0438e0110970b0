/** In-process mutual exclusion by key: one class for the blob store's uploads and for single-process locks. */
export { KeyedMutex } from '@wharf/blobstore';
export * from './single-process';
