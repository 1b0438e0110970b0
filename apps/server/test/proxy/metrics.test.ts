import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageManifest, randomBlob } from '@wharf/test-kit';
import { useTestWharf } from '../support/wharf';
import { type Upstream, createProxy, startUpstream } from './support/proxy-fixture';

const wharf = useTestWharf();
let upstream: Upstream;

beforeAll(async () => {
  upstream = await startUpstream('metrics');
});

afterAll(async () => {
  await upstream?.close();
});

/** A cold fill commits just after its client got the last byte: wait until none is under way. */
async function fillsSettled(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const status = (await wharf.http.get('/service/rest/v1/repositories/metrics-proxy/status')).json<{ fillsInFlight: number }>();
    if (status.fillsInFlight === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the proxy fill did not settle');
}

describe('proxy metrics', () => {
  it('keeps the proxy counters and adds upstream latency by kind and outcome', async () => {
    const image = imageManifest({ layers: [randomBlob(50_000)] });
    await upstream.direct.pushImage('team/app', '1', image);
    const client = await createProxy(wharf, 'metrics-proxy', { remoteUrl: upstream.faults.url });
    expect((await client.getManifest('team/app', '1')).status).toBe(200);
    expect((await client.getBlob('team/app', image.blobs[1]!.digest)).status).toBe(200);
    await fillsSettled();
    expect((await client.getBlob('team/app', image.blobs[1]!.digest)).status).toBe(200);

    // A request is counted as its response ends on the server, which may be just after the client read its last byte.
    let text = '';
    const value = (series: string) => Number(text.split('\n').find((l) => l.startsWith(`${series} `))?.slice(series.length + 1));
    for (let i = 0; i < 50 && !(value('wharf_repository_sent_bytes_total{repository="metrics-proxy"}') >= 100_000); i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      text = (await wharf.http.get('/service/metrics/prometheus')).text();
    }
    expect(value('wharf_proxy_cache_hits_total{repository="metrics-proxy"}')).toBe(1);
    expect(value('wharf_proxy_upstream_requests_total{repository="metrics-proxy",kind="blob-get"}')).toBe(1);
    expect(value('wharf_proxy_upstream_request_duration_seconds_count{repository="metrics-proxy",kind="manifest-get",outcome="2xx"}')).toBe(1);
    expect(value('wharf_proxy_upstream_request_duration_seconds_count{repository="metrics-proxy",kind="blob-get",outcome="2xx"}')).toBe(1);
    expect(value('wharf_proxy_fills_in_flight{repository="metrics-proxy"}')).toBe(0);
    expect(value('wharf_repository_sent_bytes_total{repository="metrics-proxy"}')).toBeGreaterThanOrEqual(2 * 50_000);
  });
});
