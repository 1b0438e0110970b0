export * from './data-source';
export * from './entities';
export * from './adapters/typeorm-tag-index';
export * from './adapters/typeorm-manifest-index';
export * from './adapters/typeorm-blob-links';
export * from './adapters/typeorm-upload-sessions';
export * from './adapters/typeorm-repository-configs';
export * from './adapters/typeorm-user-store';
