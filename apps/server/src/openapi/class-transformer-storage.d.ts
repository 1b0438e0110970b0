// class-transformer keeps @Type() metadata in a storage its index does not export; its compiled CommonJS file does.
declare module 'class-transformer/cjs/storage' {
  export { defaultMetadataStorage } from 'class-transformer/types/storage';
}
