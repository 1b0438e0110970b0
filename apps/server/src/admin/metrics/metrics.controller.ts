import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { ProxyRepository, RepositoryManager } from '@wharf/registry-core';
import { RestAuthGuard } from '../../security/rest-auth/rest-auth.guard';

/** Prometheus text exposition of what operators watch: repositories, proxy cache traffic, process memory. */
@Controller('service/metrics/prometheus')
@UseGuards(RestAuthGuard)
export class MetricsController {
  constructor(private readonly manager: RepositoryManager) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): string {
    const lines: string[] = [];
    const metric = (name: string, type: 'counter' | 'gauge', help: string, samples: [Record<string, string>, number][]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) lines.push(`${name}${labelText(labels)} ${value}`);
    };
    const configs = this.manager.configs();
    const byType = new Map<string, number>();
    for (const c of configs) byType.set(c.type, (byType.get(c.type) ?? 0) + 1);
    metric('wharf_repositories', 'gauge', 'Repositories by type.', [...byType].map(([type, n]) => [{ type }, n]));

    const proxies = configs
      .map((c) => this.manager.get(c.name))
      .filter((r): r is ProxyRepository => r instanceof ProxyRepository);
    const per = (pick: (p: ProxyRepository) => number): [Record<string, string>, number][] => proxies.map((p) => [{ repository: p.name }, pick(p)]);
    metric('wharf_proxy_cache_hits_total', 'counter', 'Manifests and blobs served from the cache.', per((p) => p.state.counters.cacheHits));
    metric('wharf_proxy_cache_misses_total', 'counter', 'Manifests and blobs fetched from upstream.', per((p) => p.state.counters.cacheMisses));
    metric('wharf_proxy_bytes_from_cache_total', 'counter', 'Bytes served from the cache.', per((p) => p.state.counters.bytesFromCache));
    metric('wharf_proxy_bytes_from_upstream_total', 'counter', 'Bytes fetched from upstream.', per((p) => p.state.counters.bytesFromUpstream));
    metric('wharf_proxy_stale_served_total', 'counter', 'Cached tags served because upstream failed.', per((p) => p.state.counters.staleServed));
    metric('wharf_proxy_upstream_failures_total', 'counter', 'Failed upstream calls.', per((p) => p.state.counters.upstreamFailures));
    metric(
      'wharf_proxy_upstream_requests_total',
      'counter',
      'HTTP requests sent upstream, by kind.',
      proxies.flatMap((p) => Object.entries(p.state.counters.upstreamRequests).map(([kind, n]): [Record<string, string>, number] => [{ repository: p.name, kind }, n])),
    );
    metric('wharf_proxy_auto_blocked', 'gauge', '1 while the upstream is auto-blocked.', per((p) => (p.state.autoBlockedUntil() ? 1 : 0)));
    const rate = proxies.filter((p) => p.state.rateLimit?.remaining !== undefined);
    metric('wharf_proxy_ratelimit_remaining', 'gauge', 'Last ratelimit-remaining seen from upstream (Docker Hub).', rate.map((p) => [{ repository: p.name }, p.state.rateLimit!.remaining!]));

    const memory = process.memoryUsage();
    metric('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', [[{}, memory.rss]]);
    metric('nodejs_heap_used_bytes', 'gauge', 'V8 heap in use.', [[{}, memory.heapUsed]]);
    metric('process_uptime_seconds', 'gauge', 'Seconds since the process started.', [[{}, Math.round(process.uptime())]]);
    return `${lines.join('\n')}\n`;
  }
}

function labelText(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}
