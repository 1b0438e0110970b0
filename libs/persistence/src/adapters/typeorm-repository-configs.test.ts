import { randomUUID } from 'node:crypto';
import type { ConfigSealer, ProxyConfig, RepositoryConfig } from '@wharf/registry-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { groupConfig, hostedConfig, proxyConfig } from '../../../registry-core/test/configs';
import { countRows, describeOnEachDialect, sha } from '../../test/database';
import { RepositoryEntity } from '../entities';
import { TypeOrmBlobLinks } from './typeorm-blob-links';
import { TypeOrmManifestIndex } from './typeorm-manifest-index';
import { TypeOrmRepositoryConfigs } from './typeorm-repository-configs';
import { TypeOrmTagIndex } from './typeorm-tag-index';
import { TypeOrmUploadSessions } from './typeorm-upload-sessions';

const OWNED_TABLES = ['tags', 'manifests', 'manifest_references', 'blob_links', 'upload_sessions'];

describeOnEachDialect('TypeOrmRepositoryConfigs', (db) => {
  let configs: TypeOrmRepositoryConfigs;

  beforeEach(() => {
    configs = new TypeOrmRepositoryConfigs(db());
  });

  it.each<[string, RepositoryConfig]>([
    ['hosted', hostedConfig('docker-hosted', { httpPort: 8082, storage: { writePolicy: 'ALLOW_ONCE', latestPolicy: true } })],
    ['proxy', { ...proxyConfig('docker-proxy', 8083), online: false, cleanup: { policyNames: ['weekly', 'monthly'] } }],
    ['group', groupConfig('docker-group', ['docker-hosted', 'docker-proxy'], 8084)],
  ])('round-trips a %s configuration unchanged', async (_type, config) => {
    await configs.save(config);
    expect(await configs.get(config.name)).toEqual(config);
    expect(await configs.list()).toEqual([config]);
  });

  it('answers null for an unknown repository', async () => {
    expect(await configs.get('nope')).toBeNull();
    expect(await configs.list()).toEqual([]);
  });

  it('lists repositories by name', async () => {
    for (const name of ['zeta', 'alpha', 'Mid', 'beta']) await configs.save(hostedConfig(name));
    expect((await configs.list()).map((c) => c.name)).toEqual(['Mid', 'alpha', 'beta', 'zeta']);
  });

  it('replaces a configuration on save, keeping one row', async () => {
    await configs.save(hostedConfig('docker-hosted', { httpPort: 8082 }));
    const changed = hostedConfig('docker-hosted', { httpPort: 9000, online: false });
    await configs.save(changed);
    expect(await configs.get('docker-hosted')).toEqual(changed);
    const rows: { online: number; httpPort: number | null }[] = await db().query('SELECT online, "httpPort" FROM repositories');
    expect(rows.map((r) => ({ online: Number(r.online), httpPort: r.httpPort }))).toEqual([{ online: 0, httpPort: 9000 }]);
  });

  it('frees a connector port when a repository moves off it', async () => {
    await configs.save(hostedConfig('a', { httpPort: 8082 }));
    await configs.save(hostedConfig('a', { httpPort: null }));
    await configs.save(hostedConfig('b', { httpPort: 8082 }));
    expect((await configs.get('b'))?.docker.httpPort).toBe(8082);
  });

  it('refuses two repositories on one connector port', async () => {
    await configs.save(hostedConfig('a', { httpPort: 8082 }));
    await expect(configs.save(hostedConfig('b', { httpPort: 8082 }))).rejects.toBeDefined();
    expect(await configs.get('b')).toBeNull();
  });

  it('seals secrets at rest and opens them on read', async () => {
    const sealer: ConfigSealer = {
      seal: (c) => (c.type === 'proxy' && c.httpClient.authentication ? withPassword(c, `sealed:${Buffer.from(c.httpClient.authentication.password).toString('base64')}`) : c),
      open: (c) =>
        c.type === 'proxy' && c.httpClient.authentication
          ? withPassword(c, Buffer.from(c.httpClient.authentication.password.slice('sealed:'.length), 'base64').toString())
          : c,
    };
    const sealed = new TypeOrmRepositoryConfigs(db(), sealer);
    const config = withPassword(proxyConfig('docker-proxy'), 'plain-text-secret');
    await sealed.save(config);
    const raw: { config: string }[] = await db().query('SELECT config FROM repositories');
    expect(raw[0]!.config).not.toContain('plain-text-secret');
    expect(raw[0]!.config).toContain('sealed:');
    expect(await sealed.get('docker-proxy')).toEqual(config);
    expect(await sealed.list()).toEqual([config]);
    expect(config.httpClient.authentication?.password).toBe('plain-text-secret');
  });

  describe('delete', () => {
    async function populate(repository: string): Promise<void> {
      const manifests = new TypeOrmManifestIndex(db());
      await configs.save(hostedConfig(repository));
      await manifests.put(repository, 'app', { digest: sha(1), mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 10, createdAt: new Date() }, [sha(2), sha(3)]);
      await new TypeOrmTagIndex(db()).set(repository, 'app', 'v1', sha(1));
      await new TypeOrmBlobLinks(db()).link(repository, 'app', sha(2), 5);
      await new TypeOrmUploadSessions(db()).create({ id: randomUUID(), repository, image: 'app', createdAt: new Date() });
    }

    it('removes the repository and everything it owns, and nothing of other repositories', async () => {
      await populate('a');
      await populate('a-b');
      await populate('A');
      for (const table of OWNED_TABLES) expect(await countRows(db(), table, 'a'), table).toBeGreaterThan(0);

      expect(await configs.delete('a')).toBe(true);
      expect(await configs.get('a')).toBeNull();
      for (const table of [...OWNED_TABLES, 'repositories']) expect(await countRows(db(), table, 'a'), table).toBe(0);
      for (const other of ['a-b', 'A']) {
        expect(await configs.get(other)).not.toBeNull();
        for (const table of OWNED_TABLES) expect(await countRows(db(), table, other), `${other} ${table}`).toBe(OWNED_COUNTS[table]);
      }
    });

    it('tells whether the repository existed', async () => {
      expect(await configs.delete('nope')).toBe(false);
      await configs.save(hostedConfig('a'));
      expect(await configs.delete('a')).toBe(true);
      expect(await configs.delete('a')).toBe(false);
    });

    it('cleans up content left by a repository whose configuration is already gone', async () => {
      await populate('a');
      await db().getRepository(RepositoryEntity).delete({ name: 'a' });
      expect(await configs.delete('a')).toBe(false);
      for (const table of OWNED_TABLES) expect(await countRows(db(), table, 'a'), table).toBe(0);
    });
  });
});

const OWNED_COUNTS: Record<string, number> = { tags: 1, manifests: 1, manifest_references: 2, blob_links: 1, upload_sessions: 1 };

function withPassword(c: ProxyConfig, password: string): ProxyConfig {
  return { ...c, httpClient: { ...c.httpClient, authentication: { ...c.httpClient.authentication!, password } } };
}
