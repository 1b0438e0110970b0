/**
 * The client against the real CNCF Distribution (`/usr/bin/docker-registry`), anonymous and
 * with token auth (JWTs signed by the test's token server). Skipped when the binary or the
 * openssl CLI is missing.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenServer, collect, errorOf, sha256 } from '@wharf/test-kit';
import {
  JwtMinter,
  type RunningDistribution,
  distributionAvailable,
  pushImage,
  startDistribution,
} from '../../test/upstream/distribution';
import { selfSignedCert } from '../../test/upstream/tls';
import { RegistryClient } from './registry-client';
import type { UpstreamRequestKind } from './types';

const cert = distributionAvailable() ? selfSignedCert() : null;
const OCI = 'application/vnd.oci.image.manifest.v1+json';

describe.skipIf(cert === null)('against CNCF Distribution', () => {
  let dir: string;
  const stops: (() => Promise<void>)[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wharf-upstream-'));
  });
  afterAll(async () => {
    for (const s of stops.reverse()) await s();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('anonymous', () => {
    let reg: RunningDistribution;
    let pushed: Awaited<ReturnType<typeof pushImage>>;
    const layer = randomBytes(3 * 1024 * 1024 + 5);

    beforeAll(async () => {
      reg = await startDistribution({ dir: join(dir, 'plain') });
      stops.push(() => reg.stop());
      pushed = await pushImage(reg.url, 'team/app/api', 'v1', [layer]);
    }, 30_000);

    it('HEADs and GETs manifests by tag and digest, streams blobs, 404s are null', async () => {
      const calls: [UpstreamRequestKind, number][] = [];
      const c = new RegistryClient({ remoteUrl: reg.url, onRequest: (k, s) => calls.push([k, s]) });
      try {
        await c.ping();
        expect(await c.headManifest('team/app/api', 'v1', OCI)).toEqual({
          digest: pushed.digest,
          mediaType: OCI,
          size: pushed.manifest.length,
        });
        const m = await c.getManifest('team/app/api', 'v1', OCI);
        expect(m).toEqual({ digest: pushed.digest, mediaType: OCI, bytes: pushed.manifest });
        expect((await c.getManifest('team/app/api', pushed.digest, OCI))?.bytes.equals(pushed.manifest)).toBe(true);
        const blob = await c.getBlob('team/app/api', sha256(layer));
        expect(blob!.size).toBe(layer.length);
        expect((await collect(blob!.body.stream())).equals(layer)).toBe(true);
        expect(await c.headManifest('team/app/api', 'nope', OCI)).toBeNull();
        expect(await c.getManifest('team/app/api', 'nope', OCI)).toBeNull();
        expect(await c.getManifest('other/image', 'v1', OCI)).toBeNull();
        expect(await c.getBlob('team/app/api', sha256('missing'))).toBeNull();
        expect(calls.every(([, s]) => s === 200 || s === 404)).toBe(true);
      } finally {
        c.close();
      }
    });
  });

  describe('token auth', () => {
    let reg: RunningDistribution;
    let tokens: TokenServer;
    let digest: string;

    beforeAll(async () => {
      const minter = new JwtMinter(cert!.key, cert!.cert, 'wharf-upstream-test');
      tokens = await TokenServer.start({
        credentials: { username: 'puller', password: 'correct horse' },
        expiresIn: 300,
        mint: (g) => minter.mint(g),
      });
      stops.push(() => tokens.stop());
      reg = await startDistribution({ dir: join(dir, 'token'), token: { realm: tokens.realm, minter } });
      stops.push(() => reg.stop());
      const pushToken = minter.mint({ scopes: ['repository:library/alpine:pull,push'], user: 'pusher' });
      digest = (await pushImage(reg.url, 'library/alpine', 'latest', [randomBytes(1000)], `Bearer ${pushToken}`)).digest;
    }, 30_000);

    it('negotiates an anonymous token once for repeated requests', async () => {
      tokens.requests.length = 0;
      const c = new RegistryClient({ remoteUrl: reg.url });
      try {
        for (let i = 0; i < 5; i++) expect((await c.headManifest('library/alpine', 'latest', OCI))?.digest).toBe(digest);
        expect((await c.getManifest('library/alpine', 'latest', OCI))?.digest).toBe(digest);
        expect(tokens.requests).toHaveLength(1);
        expect(new URL(tokens.requests[0]!.url, 'http://x').searchParams.get('service')).toBe('wharf-upstream-test');
        await c.ping();
      } finally {
        c.close();
      }
    });

    it('uses credentials for the token; wrong ones are an auth error without the password', async () => {
      const ok = new RegistryClient({ remoteUrl: reg.url, credentials: { username: 'puller', password: 'correct horse' } });
      const bad = new RegistryClient({ remoteUrl: reg.url, credentials: { username: 'puller', password: 'battery staple' } });
      try {
        expect((await ok.getManifest('library/alpine', 'latest', OCI))?.digest).toBe(digest);
        const e = await errorOf(bad.getManifest('library/alpine', 'latest', OCI));
        expect(e.kind).toBe('auth');
        expect(e.message).not.toContain('battery');
        expect((await errorOf(bad.ping())).kind).toBe('auth');
      } finally {
        ok.close();
        bad.close();
      }
    });
  });
});
