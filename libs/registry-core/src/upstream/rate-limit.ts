import type { IncomingHttpHeaders } from 'node:http';
import type { RateLimitInfo } from './types';

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** "100;w=21600" -> { value: 100, window: 21600 }; undefined when there is no leading integer. */
export function parseRateLimitValue(raw: string | undefined): { value: number; windowSeconds?: number } | undefined {
  if (raw === undefined) return undefined;
  const [head = '', ...params] = raw.split(';');
  const text = head.trim();
  if (!/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) return undefined;
  let windowSeconds: number | undefined;
  for (const p of params) {
    const m = /^\s*w\s*=\s*(\d+)\s*$/i.exec(p);
    if (m) windowSeconds = Number(m[1]);
  }
  return windowSeconds !== undefined ? { value, windowSeconds } : { value };
}

/**
 * Docker Hub's pull-limit headers (ratelimit-limit, ratelimit-remaining,
 * docker-ratelimit-source); undefined when the response carries none of them.
 */
export function parseRateLimit(headers: IncomingHttpHeaders, now: Date = new Date()): RateLimitInfo | undefined {
  const limitRaw = first(headers['ratelimit-limit']);
  const remainingRaw = first(headers['ratelimit-remaining']);
  const sourceRaw = first(headers['docker-ratelimit-source']);
  if (limitRaw === undefined && remainingRaw === undefined && sourceRaw === undefined) return undefined;
  const info: RateLimitInfo = { observedAt: now };
  const limit = parseRateLimitValue(limitRaw);
  const remaining = parseRateLimitValue(remainingRaw);
  if (limit) info.limit = limit.value;
  if (remaining) info.remaining = remaining.value;
  const windowSeconds = limit?.windowSeconds ?? remaining?.windowSeconds;
  if (windowSeconds !== undefined) info.windowSeconds = windowSeconds;
  if (sourceRaw !== undefined && sourceRaw.trim() !== '') info.source = sourceRaw.trim();
  return info;
}
