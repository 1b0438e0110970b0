import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ProxyRepository, type RepositoryManager, type UpstreamRequestKind } from '@wharf/registry-core';

/** What one finished HTTP request contributes to the metrics (see RequestObserver). */
export interface RequestSample {
  method: string;
  /** Low-cardinality route template: `/v2/{name}/manifests/{reference}`, a REST path with `:params`, `ui`, `none`. */
  route: string;
  status: number;
  seconds: number;
  bytesIn: number;
  bytesOut: number;
  /** The repository the client addressed, when there is one. */
  repository?: string;
}

const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120];
const UPSTREAM_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The Prometheus metrics of one Wharf (prom-client, one registry per instance, so tests may run several).
 * Request metrics are recorded as requests finish; repository and proxy figures are read from the live
 * objects when scraped. Other parts register their own metrics on `registry` (lifecycle, blob store) with
 * the `wharf_` prefix.
 */
export class WharfMetrics {
  readonly registry = new Registry();
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly bytesIn: Counter<'repository'>;
  private readonly bytesOut: Counter<'repository'>;
  private readonly pulls: Counter<'repository'>;
  private readonly pushes: Counter<'repository'>;
  private readonly upstreamDuration: Histogram<'repository' | 'kind' | 'outcome'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // Gauges named like counters, which `promtool check metrics` rejects; nodejs_active_{handles,requests,resources}
    // (by type) carry the same figures.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) this.registry.removeSingleMetric(name);
    const registers = [this.registry];
    const histogram = <L extends string>(name: string, help: string, labelNames: L[], buckets: number[]) => new Histogram<L>({ name, help, labelNames, buckets, registers });
    const perRepository = (name: string, help: string) => new Counter({ name, help: `${help}, per repository addressed.`, labelNames: ['repository'], registers });
    this.httpDuration = histogram(
      'wharf_http_request_duration_seconds',
      'HTTP requests on the main and connector ports, by method, route and status: time to the last byte sent.',
      ['method', 'route', 'status'],
      HTTP_BUCKETS,
    );
    this.bytesIn = perRepository('wharf_repository_received_bytes_total', 'Request body bytes received by registry requests');
    this.bytesOut = perRepository('wharf_repository_sent_bytes_total', 'Response body bytes sent by registry requests');
    this.pulls = perRepository('wharf_repository_pulls_total', 'Manifests served by GET (a pull, or one image of it)');
    this.pushes = perRepository('wharf_repository_pushes_total', 'Manifests stored by PUT (a push)');
    this.upstreamDuration = histogram(
      'wharf_proxy_upstream_request_duration_seconds',
      "Proxy requests to their upstream, by kind and outcome (an HTTP status class, or 'error'): time to the response head.",
      ['repository', 'kind', 'outcome'],
      UPSTREAM_BUCKETS,
    );
  }

  /** One finished request (called by the request observer of every port). */
  request(sample: RequestSample): void {
    this.httpDuration.observe({ method: sample.method, route: sample.route, status: String(sample.status) }, sample.seconds);
    const repository = sample.repository;
    if (repository === undefined || !sample.route.startsWith('/v2/')) return;
    if (sample.bytesIn > 0) this.bytesIn.inc({ repository }, sample.bytesIn);
    if (sample.bytesOut > 0) this.bytesOut.inc({ repository }, sample.bytesOut);
    if (sample.route === MANIFEST_ROUTE) {
      if (sample.method === 'GET' && sample.status === 200) this.pulls.inc({ repository });
      else if (sample.method === 'PUT' && sample.status === 201) this.pushes.inc({ repository });
    }
  }

  /** One upstream request of a proxy (RegistryClient's onRequest). */
  upstream(repository: string, kind: UpstreamRequestKind, status: number, seconds: number): void {
    const outcome = status === 0 ? 'error' : `${Math.floor(status / 100)}xx`;
    this.upstreamDuration.observe({ repository, kind, outcome }, seconds);
  }

  /** Repository counts and the proxies' counters, read from the live repositories at every scrape. */
  watchRepositories(manager: RepositoryManager): void {
    const registers = [this.registry];
    const proxies = () =>
      manager
        .configs()
        .map((c) => manager.get(c.name))
        .filter((r): r is ProxyRepository => r instanceof ProxyRepository);
    new Gauge({
      name: 'wharf_repositories',
      help: 'Repositories by type.',
      labelNames: ['type'],
      registers,
      collect() {
        this.reset();
        for (const c of manager.configs()) this.inc({ type: c.type });
      },
    });
    // Each proxy's figures, read at every scrape: counters (they only grow) and gauges.
    const figures: [typeof Counter | typeof Gauge, string, string, (p: ProxyRepository) => number | undefined][] = [
      [Counter, 'wharf_proxy_cache_hits_total', 'Manifests and blobs served from the cache.', (p) => p.state.counters.cacheHits],
      [Counter, 'wharf_proxy_cache_misses_total', 'Manifests and blobs fetched from upstream.', (p) => p.state.counters.cacheMisses],
      [Counter, 'wharf_proxy_bytes_from_cache_total', 'Bytes served from the cache.', (p) => p.state.counters.bytesFromCache],
      [Counter, 'wharf_proxy_bytes_from_upstream_total', 'Bytes fetched from upstream.', (p) => p.state.counters.bytesFromUpstream],
      [Counter, 'wharf_proxy_stale_served_total', 'Cached tags served because upstream failed.', (p) => p.state.counters.staleServed],
      [Counter, 'wharf_proxy_upstream_failures_total', 'Failed upstream calls.', (p) => p.state.counters.upstreamFailures],
      [Gauge, 'wharf_proxy_auto_blocked', '1 while the upstream is auto-blocked.', (p) => (p.state.autoBlockedUntil() ? 1 : 0)],
      [Gauge, 'wharf_proxy_ratelimit_remaining', 'Last ratelimit-remaining seen from upstream (Docker Hub).', (p) => p.state.rateLimit?.remaining],
      [Gauge, 'wharf_proxy_fills_in_flight', 'Blob downloads from the upstream under way.', (p) => p.state.fillsInFlight],
    ];
    for (const [Metric, name, help, pick] of figures) {
      new Metric({
        name,
        help,
        labelNames: ['repository'],
        registers,
        collect() {
          this.reset();
          for (const p of proxies()) {
            const value = pick(p);
            if (value !== undefined) this.inc({ repository: p.name }, value);
          }
        },
      });
    }
    new Counter({
      name: 'wharf_proxy_upstream_requests_total',
      help: 'HTTP requests sent upstream, by kind.',
      labelNames: ['repository', 'kind'],
      registers,
      collect() {
        this.reset();
        for (const p of proxies()) for (const [kind, n] of Object.entries(p.state.counters.upstreamRequests)) this.inc({ repository: p.name, kind }, n);
      },
    });
  }

  /** The text exposition format. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** The route label of manifest requests (see distribution/registry-handler.ts). */
export const MANIFEST_ROUTE = '/v2/{name}/manifests/{reference}';
