import type { ProxyConfig, RepositoryManager } from '@wharf/registry-core';

/**
 * Start-up upgrade of proxies stored before credentials in remote URLs were refused: the user name and
 * password move from `proxy.remoteUrl` (stored in plain text, shown to every reader) to
 * `httpClient.authentication` (password encrypted, never returned), unless that is set already, in which
 * case the URL's copy is dropped. Returns the names of the proxies it changed.
 */
export async function moveRemoteUrlCredentials(manager: RepositoryManager): Promise<string[]> {
  const changed: string[] = [];
  for (const config of manager.configs()) {
    if (config.type !== 'proxy') continue;
    const upgraded = withoutUrlCredentials(config);
    if (upgraded === config) continue;
    await manager.update(upgraded);
    changed.push(config.name);
  }
  return changed;
}

function withoutUrlCredentials(config: ProxyConfig): ProxyConfig {
  let url: URL;
  try {
    url = new URL(config.proxy.remoteUrl);
  } catch {
    return config;
  }
  if (url.username === '' && url.password === '') return config;
  const username = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  const remoteUrl = config.proxy.remoteUrl.endsWith('/') ? url.toString() : url.toString().replace(/\/$/, '');
  const authentication = config.httpClient.authentication ?? (username !== '' ? { type: 'username' as const, username, password } : null);
  return { ...config, proxy: { ...config.proxy, remoteUrl }, httpClient: { ...config.httpClient, authentication } };
}
