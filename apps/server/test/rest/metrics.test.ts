import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostedFixture } from '../support/setup';
import { type TestWharf, startTestWharf } from '../support/wharf';

describe('GET /service/metrics/prometheus', () => {
  let wharf: TestWharf;

  beforeAll(async () => {
    wharf = await startTestWharf();
    await hostedFixture(wharf, 'metrics-hosted');
  });

  afterAll(async () => {
    await wharf?.close();
  });

  it('exposes repository counts and process memory in the Prometheus text format to administrators', async () => {
    const res = await wharf.http.get('/service/metrics/prometheus');
    expect(res.status).toBe(200);
    expect(res.header('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text()).toMatch(/^# TYPE wharf_repositories gauge$/m);
    expect(res.text()).toMatch(/^wharf_repositories\{type="hosted"\} 1$/m);
    expect(res.text()).toMatch(/^process_resident_memory_bytes \d+$/m);
  });

  it('is refused without credentials', async () => {
    const res = await wharf.anonymous.get('/service/metrics/prometheus');
    expect(res.status).toBe(401);
  });
});
