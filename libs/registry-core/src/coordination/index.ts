export * from './keyed-mutex';
export * from './single-process';
