import { describe, expect, it } from 'vitest';
import { parseRateLimit, parseRateLimitValue } from './rate-limit';

describe('rate-limit headers', () => {
  it('parses "100;w=21600"', () => {
    expect(parseRateLimitValue('100;w=21600')).toEqual({ value: 100, windowSeconds: 21600 });
    expect(parseRateLimitValue('76')).toEqual({ value: 76 });
    expect(parseRateLimitValue(' 0 ; w=60')).toEqual({ value: 0, windowSeconds: 60 });
    expect(parseRateLimitValue('abc')).toBeUndefined();
    expect(parseRateLimitValue(undefined)).toBeUndefined();
  });

  it('reads Docker Hub headers', () => {
    const at = new Date('2024-01-01T00:00:00Z');
    expect(
      parseRateLimit(
        { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '76;w=21600', 'docker-ratelimit-source': '203.0.113.9' },
        at,
      ),
    ).toEqual({ limit: 100, remaining: 76, windowSeconds: 21600, source: '203.0.113.9', observedAt: at });
  });

  it('is undefined without any of the headers, partial with some', () => {
    expect(parseRateLimit({ 'content-type': 'x' })).toBeUndefined();
    const info = parseRateLimit({ 'ratelimit-remaining': '5;w=60' });
    expect(info?.remaining).toBe(5);
    expect(info?.limit).toBeUndefined();
  });
});
