import { mkdir, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTempDir } from '../support/temp-dir';
import { type TestWharf, startTestWharf } from '../support/wharf';

describe('the main port outside the APIs: the admin UI, and 404 for everything else', () => {
  let wharf: TestWharf;
  const web = useTempDir('wharf-web-');

  beforeAll(async () => {
    await mkdir(web.join('assets'));
    await writeFile(web.join('index.html'), '<!doctype html><title>Wharf</title>');
    await writeFile(web.join('assets', 'index-AbCdEf12.js'), 'console.log(1)');
    wharf = await startTestWharf({ webDir: web.path });
  });

  afterAll(async () => {
    await wharf?.close();
  });

  it('serves the UI at / and its files', async () => {
    const index = await wharf.anonymous.get('/');
    expect(index.status).toBe(200);
    expect(index.header('content-type')).toBe('text/html; charset=utf-8');
    expect(index.text()).toContain('<title>Wharf</title>');
    const asset = await wharf.anonymous.get('/assets/index-AbCdEf12.js');
    expect(asset.status).toBe(200);
    expect(asset.header('cache-control')).toContain('immutable');
  });

  it.each([
    '/healthz',
    '/metrics',
    '/api-docs',
    '/livez',
    '/some/client/route',
    '/index.htm',
    '/assets/missing-AbCdEf12.js',
    '/service/rest/v1/no-such-endpoint',
    '/service/rest/v2/repositories',
    '/service/metrics/nope',
  ])('%s answers 404, never the UI with 200', async (path) => {
    const res = await wharf.anonymous.get(path);
    expect(res.status).toBe(404);
    expect(res.header('content-type')).not.toMatch(/text\/html/);
  });

  it('answers HEAD on an unknown path with 404 too', async () => {
    expect((await wharf.anonymous.head('/healthz')).status).toBe(404);
  });
});
