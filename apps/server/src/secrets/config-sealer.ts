import type { ConfigSealer, RepositoryConfig } from '@wharf/registry-core';
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
