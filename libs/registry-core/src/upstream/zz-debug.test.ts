import { it } from 'vitest';
import { FakeRegistry, readAll } from '../../test/upstream/fake-registry';
import { RegistryClient } from './registry-client';
it('dbg', async () => {
  const r = await FakeRegistry.start();
  r.addManifest('library/alpine', 'latest', { schemaVersion: 2 });
  const blob = Buffer.alloc(300_000, 1);
  const d = r.addBlob(blob);
  const c = new RegistryClient({ remoteUrl: r.url, idleTimeoutMs: 1000 });
  for (let i = 0; i < 4; i++) {
    console.log(i, 'blob'); const b = await c.getBlob('library/alpine', d);
    const s = b!.stream;
    const t = setTimeout(() => console.log('stuck', (s as any)._readableState.length, s.readableFlowing, (s as any).received, (s as any).res.readableFlowing, (s as any).res.readableLength, (s as any).res.complete), 2000);
    try { console.log('len', (await readAll(s)).length); } catch (e) { console.log('err', (e as Error).message); }
    clearTimeout(t);
  }
  c.close(); await r.close();
}, 20000);
