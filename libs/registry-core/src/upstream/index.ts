// Public API of the upstream registry client (proxy repositories).
export * from './types';
export { UpstreamError, isUpstreamError, type UpstreamErrorKind, type UpstreamErrorOptions } from './errors';
export {
  RegistryClient,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_USER_AGENT,
  MAX_REDIRECTS,
} from './registry-client';
export { parseChallenges, pickChallenge, type Challenge } from './challenge';
export { parseRateLimit, parseRateLimitValue } from './rate-limit';
export { UpstreamAddressPolicy, DEFAULT_DENIED_UPSTREAMS } from './address-policy';
