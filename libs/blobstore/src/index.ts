export type {
  BlobContent,
  BlobInfo,
  BlobSource,
  BlobStore,
  ByteRange,
  StoredBlob,
  UploadStore,
  WriteInProgress,
  WriteOptions,
} from './blob-store';
export type { IncomingBody, ReceiveOptions } from '@wharf/native-io';
export { boundsOf, checkRange, readAll, StreamedContent } from './content';
export { FileBlobStore, type FileBlobStoreOptions } from './fs/file-blob-store';
export { FileContent } from './fs/file-content';
export { FileUploadStore } from './fs/file-upload-store';
export { ReceivingFile } from './fs/receiving-file';
export { StorageError, isStoreFull, storeFull } from './storage-error';
export { KeyedMutex } from './keyed-mutex';
export { isUploadId } from './fs/paths';
export type { S3BlobStore } from './s3/s3-blob-store';
export { loadS3BlobStore } from './s3/load';
export { withoutNodeVersionNotice } from './s3/node-version-notice';
export type { S3BlobStoreOptions } from './s3/s3-options';
