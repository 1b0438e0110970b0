export type { BlobInfo, BlobRead, BlobStore, ByteRange, SocketBody, Spool, SpoolReader, StoredBlob, UploadStore, WriteOptions } from './blob-store';
export { FileBlobStore, FileUploadStore, type FileBlobStoreOptions } from './fs/file-blob-store';
export { StorageError } from './fs/fs-util';
export { isUploadId } from './fs/paths';
export { zeroCopyAvailable, zeroCopyTransfers } from './fs/zero-copy';
export { socketIngestAvailable, socketIngests } from './fs/socket-ingest';
export { S3BlobStore } from './s3/s3-blob-store';
export type { S3BlobStoreOptions } from './s3/s3-options';
