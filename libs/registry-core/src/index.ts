export * from './docker-repository';
export * from './page';
export * from './repository-config';
export * from './repository-manager';
export * from './ports';
export * from './cache/manifest-cache';
export * from './cache/lookup-cache';
export * from './hosted/hosted-repository';
