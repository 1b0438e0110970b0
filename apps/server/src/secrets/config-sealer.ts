import type { BlobStoreConfig, BlobStoreConfigSealer, ConfigSealer, RepositoryConfig } from '@wharf/registry-core';
import type { SecretBox } from './secret-box';

/** Encrypts upstream passwords inside repository configurations before they are stored. */
export function configSealer(box: SecretBox): ConfigSealer {
  const map = (config: RepositoryConfig, f: (s: string) => string): RepositoryConfig => {
    if (config.type !== 'proxy' || !config.httpClient.authentication) return config;
    const auth = config.httpClient.authentication;
    return { ...config, httpClient: { ...config.httpClient, authentication: { ...auth, password: f(auth.password) } } };
  };
  return { seal: (c) => map(c, (s) => box.seal(s)), open: (c) => map(c, (s) => box.open(s)) };
}

/** Encrypts the S3 secret key inside blob store configurations before they are stored. */
export function blobStoreSealer(box: SecretBox): BlobStoreConfigSealer {
  const map = (config: BlobStoreConfig, f: (s: string) => string): BlobStoreConfig => {
    const security = config.bucketConfiguration.bucketSecurity;
    if (!security) return config;
    return { ...config, bucketConfiguration: { ...config.bucketConfiguration, bucketSecurity: { ...security, secretAccessKey: f(security.secretAccessKey) } } };
  };
  return { seal: (c) => map(c, (s) => box.seal(s)), open: (c) => map(c, (s) => box.open(s)) };
}
