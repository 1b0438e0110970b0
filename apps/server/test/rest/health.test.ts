import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrainState } from '../../src/runtime/drain-state';
import { drainCheck } from '../../src/health/readiness-check';
import { createHosted } from '../support/rest';
import { type TestWharf, startTestWharf } from '../support/wharf';

const STATUS = '/service/rest/v1/status';
const SECURITY = '/service/rest/v1/security';

describe('health probes', () => {
  let wharf: TestWharf;

  beforeAll(async () => {
    wharf = await startTestWharf();
  });

  afterAll(async () => {
    await wharf?.close();
  });

  it('live answers 200 to anyone', async () => {
    const res = await wharf.anonymous.get(`${STATUS}/live`);
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('ready answers 200 to anyone with the database and the blob store up (terminus shape)', async () => {
    const res = await wharf.anonymous.get(`${STATUS}/ready`);
    expect(res.status).toBe(200);
    const body = res.json<{ status: string; details: Record<string, { status: string }> }>();
    expect(body.status).toBe('ok');
    expect(Object.keys(body.details)).toEqual(['Database', 'Blob Stores', 'Shutdown']);
    for (const check of Object.values(body.details)) expect(check.status).toBe('up');
  });

  it("status/check answers Nexus's shape to administrators and to nx-metrics-all, 401 to anonymous callers", async () => {
    expect((await wharf.anonymous.get(`${STATUS}/check`)).status).toBe(401);
    const res = await wharf.http.get(`${STATUS}/check`);
    expect(res.status).toBe(200);
    const body = res.json<Record<string, { healthy: boolean; message: string | null; error: string | null; time: number; duration: number; timestamp: string }>>();
    expect(Object.keys(body)).toEqual(['Available CPUs', 'Database', 'Blob Stores', 'Shutdown']);
    for (const entry of Object.values(body)) {
      expect(entry).toMatchObject({ healthy: true, error: null });
      expect(typeof entry.time).toBe('number');
      expect(typeof entry.duration).toBe('number');
      expect(new Date(entry.timestamp).getTime()).toBe(entry.time);
    }
    expect(body['Available CPUs']!.message).toMatch(/^The host system is allocating a maximum of \d+ cores to the application\.$/);

    await wharf.http.sendJson('POST', `${SECURITY}/roles`, { id: 'health-metrics', name: 'm', description: '', privileges: ['nx-metrics-all'], roles: [] });
    const scraper = { username: 'health-scraper', password: 'scraper-password-1' };
    await wharf.http.sendJson('POST', `${SECURITY}/users`, {
      userId: scraper.username, firstName: 'S', lastName: 'S', emailAddress: 's@example.org', password: scraper.password, status: 'active', roles: ['health-metrics'],
    });
    expect((await wharf.http.as(scraper).get(`${STATUS}/check`)).status).toBe(200);
  });

  it('ready answers 503 naming the blob store when it is gone, and recovers when it is back', async () => {
    const blobs = join(wharf.dataDir, 'blobs');
    await rename(blobs, `${blobs}.away`);
    try {
      const res = await wharf.anonymous.get(`${STATUS}/ready`);
      expect(res.status).toBe(503);
      const body = res.json<{ status: string; error: Record<string, { status: string; message?: string }> }>();
      expect(body.status).toBe('error');
      expect(Object.keys(body.error)).toEqual(['Blob Stores']);
      const check = (await wharf.http.get(`${STATUS}/check`)).json<Record<string, { healthy: boolean; error: string | null }>>();
      expect(check['Blob Stores']).toMatchObject({ healthy: false });
      expect(check['Blob Stores']!.error).toBeTruthy();
      expect(check.Database!.healthy).toBe(true);
    } finally {
      await rename(`${blobs}.away`, blobs);
    }
    expect((await wharf.anonymous.get(`${STATUS}/ready`)).status).toBe(200);
  });
});

describe('readiness and a blob store short of space', () => {
  let wharf: TestWharf;

  beforeAll(async () => {
    // A floor no disk reaches: the store is below it, as on a full disk.
    wharf = await startTestWharf({ config: { minFreeSpace: 2 ** 60 } });
  });

  afterAll(async () => {
    await wharf?.close();
  });

  it('stays ready (reads work) and says the store takes no writes; status/writable and uploads refuse', async () => {
    const ready = await wharf.anonymous.get(`${STATUS}/ready`);
    expect(ready.status, ready.text()).toBe(200);
    const store = ready.json<{ details: Record<string, Record<string, Record<string, unknown>>> }>().details['Blob Stores']!.default!;
    expect(store).toMatchObject({ availableBytes: expect.any(Number), writable: false, reason: expect.stringMatching(/below the .* kept free/) });
    const check = (await wharf.http.get(`${STATUS}/check`)).json<Record<string, { healthy: boolean; details: Record<string, Record<string, unknown>> }>>();
    expect(check['Blob Stores']).toMatchObject({ healthy: true, details: { default: { writable: false } } });
    const writable = await wharf.anonymous.get(`${STATUS}/writable`);
    expect(writable.status).toBe(503);
    expect(writable.text()).toMatch(/kept free/);
    await createHosted(wharf.http, 'full-disk');
    const upload = await wharf.http.request('POST', '/v2/full-disk/app/blobs/uploads/');
    expect(upload.status).toBe(507);
  });

  it('with room, the details say writable', async () => {
    const roomy = await startTestWharf();
    try {
      const ready = (await roomy.anonymous.get(`${STATUS}/ready`)).json<{ details: Record<string, Record<string, Record<string, unknown>>> }>();
      expect(ready.details['Blob Stores']!.default).toEqual({ availableBytes: expect.any(Number), writable: true });
    } finally {
      await roomy.close();
    }
  });
});

describe('the shutdown readiness check', () => {
  it('passes until shutdown begins, then fails saying since when', async () => {
    const drain = new DrainState();
    const check = drainCheck(drain);
    await expect(check.check()).resolves.toBeUndefined();
    drain.begin();
    await expect(check.check()).rejects.toThrow(/^shutting down since \d{4}-/);
  });
});
