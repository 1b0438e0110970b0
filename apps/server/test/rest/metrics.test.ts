import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { imageManifest } from '@wharf/test-kit';
import { type HostedFixture, hostedFixture } from '../support/setup';
import { useTestWharf } from '../support/wharf';

const METRICS = '/service/metrics/prometheus';
const SECURITY = '/service/rest/v1/security';

/** `promtool check metrics` (Debian package prometheus): the exposition lints clean. */
function promtoolCheck(text: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile('promtool', ['check', 'metrics'], (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') return reject(new Error('promtool is missing: run scripts/install-test-deps.sh (Debian package prometheus)'));
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
    child.stdin!.end(text);
  });
}

/** The value of one sample line, e.g. sample(text, 'wharf_repository_pulls_total{repository="x"}'). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /service/metrics/prometheus', () => {
  const wharf = useTestWharf();
  let hosted: HostedFixture;
  const image = imageManifest();

  beforeAll(async () => {
    hosted = await hostedFixture(wharf, 'metrics-hosted');
    await hosted.connector.pushImage('team/app', '1', image);
    expect((await hosted.connector.getManifest('team/app', '1', { headers: { Accept: image.mediaType } })).status).toBe(200);
    expect((await hosted.main.getManifest(hosted.mainName('team/app'), '1', { headers: { Accept: image.mediaType } })).status).toBe(200);
    expect((await hosted.connector.getBlob('team/app', image.blobs[1]!.digest)).status).toBe(200);
  });

  it('passes promtool check metrics', async () => {
    const res = await wharf.http.get(METRICS);
    expect(res.status).toBe(200);
    expect(res.header('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const check = await promtoolCheck(res.text());
    expect(check.output).toBe('');
    expect(check.code).toBe(0);
  });

  it('counts repositories, pushes, pulls and bytes per repository, and HTTP requests by route and status', async () => {
    const text = (await wharf.http.get(METRICS)).text();
    expect(text).toMatch(/^# TYPE wharf_repositories gauge$/m);
    expect(sample(text, 'wharf_repositories{type="hosted"}')).toBe(1);
    expect(sample(text, 'wharf_repository_pushes_total{repository="metrics-hosted"}')).toBe(1);
    // Through the connector and through the main port: both address the same repository.
    expect(sample(text, 'wharf_repository_pulls_total{repository="metrics-hosted"}')).toBe(2);
    const layer = image.blobs[1]!;
    const sent = sample(text, 'wharf_repository_sent_bytes_total{repository="metrics-hosted"}')!;
    expect(sent).toBeGreaterThanOrEqual(layer.bytes.length + 2 * image.bytes.length);
    const received = sample(text, 'wharf_repository_received_bytes_total{repository="metrics-hosted"}')!;
    const pushed = image.blobs.reduce((n, b) => n + b.bytes.length, 0) + image.bytes.length;
    expect(received).toBe(pushed);
    expect(sample(text, 'wharf_http_request_duration_seconds_count{method="GET",route="/v2/{name}/manifests/{reference}",status="200"}')).toBe(2);
    expect(sample(text, 'wharf_http_request_duration_seconds_count{method="PUT",route="/v2/{name}/manifests/{reference}",status="201"}')).toBe(1);
    expect(sample(text, 'wharf_http_request_duration_seconds_count{method="POST",route="/service/rest/v1/repositories/docker/hosted",status="201"}')).toBe(1);
    expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d+$/m);
  });

  it('serves every metric the Grafana dashboard in examples/ queries', async () => {
    const dashboard = JSON.parse(readFileSync(join(__dirname, '../../../../examples/grafana-dashboard.json'), 'utf8')) as {
      panels: { targets: { expr: string }[] }[];
    };
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    const names = new Set(exprs.flatMap((e) => [...e.matchAll(/\b((?:wharf|process|nodejs)_[a-z0-9_]+)\{/g)].map((m) => m[1]!.replace(/_(bucket|count|sum)$/, ''))));
    expect(names.size).toBeGreaterThan(10);
    const text = (await wharf.http.get(METRICS)).text();
    for (const name of names) expect(text, name).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
  });

  it('is refused without credentials, and to users without nx-metrics-all', async () => {
    expect((await wharf.anonymous.get(METRICS)).status).toBe(401);
    const plain = { username: 'plain', password: 'plain-password-1' };
    const created = await wharf.http.sendJson('POST', `${SECURITY}/users`, {
      userId: plain.username, firstName: 'P', lastName: 'U', emailAddress: 'p@example.org', password: plain.password, status: 'active', roles: ['nx-anonymous'],
    });
    expect(created.status).toBe(200);
    expect((await wharf.http.as(plain).get(METRICS)).status).toBe(403);
  });

  it('is scraped with the API token of a user that holds only nx-metrics-all, which opens nothing else', async () => {
    const role = await wharf.http.sendJson('POST', `${SECURITY}/roles`, { id: 'metrics', name: 'metrics', description: 'scrape', privileges: ['nx-metrics-all'], roles: [] });
    expect(role.status).toBe(200);
    const scraper = { username: 'prometheus', password: 'scraper-password-1' };
    const user = await wharf.http.sendJson('POST', `${SECURITY}/users`, {
      userId: scraper.username, firstName: 'Prom', lastName: 'Etheus', emailAddress: 'p@example.org', password: scraper.password, status: 'active', roles: ['metrics'],
    });
    expect(user.status).toBe(200);
    const token = (await wharf.http.as(scraper).sendJson('POST', `${SECURITY}/api-tokens`, { name: 'scrape' })).json<{ token: string }>().token;
    const bearer = wharf.http.as(null);
    const scrape = await bearer.get(METRICS, { headers: { Authorization: `Bearer ${token}` } });
    expect(scrape.status).toBe(200);
    expect(scrape.text()).toMatch(/^wharf_repositories\{type="hosted"\} 1$/m);
    expect((await promtoolCheck(scrape.text())).code).toBe(0);
    // Nothing else: no administration, no repository content.
    expect((await bearer.get(`${SECURITY}/users`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(403);
    expect((await bearer.get('/service/rest/v1/repositories', { headers: { Authorization: `Bearer ${token}` } })).json()).toEqual([]);
    const pull = await bearer.get(`/v2/metrics-hosted/team/app/manifests/1`, { headers: { Authorization: `Bearer ${token}`, Accept: image.mediaType } });
    expect([401, 403, 404]).toContain(pull.status);
    // The privilege is listed for role editors.
    const privileges = (await wharf.http.get(`${SECURITY}/privileges`)).json<{ name: string; type: string }[]>();
    expect(privileges).toContainEqual(expect.objectContaining({ name: 'nx-metrics-all', type: 'application' }));
  });
});
