export * from './manifest-index';
export * from './tag-index';
export * from './blob-links';
export * from './upload-sessions';
export * from './repository-configs';
