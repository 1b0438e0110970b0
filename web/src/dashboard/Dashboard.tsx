import type { ProxyStatusJson, RepositoryStatusJson, RepositorySummary } from '@wharf/api-types';
import { useApi } from '../api/context';
import { describeError } from '../api/errors';
import { useApiQuery, useRepositories } from '../api/queries';
import { Sparkline } from '../components/Sparkline';
import { formatBytes, formatCount, formatDateTime, formatPercent, formatRelative, plural } from '../components/format';
import { Link, routePath } from '../components/router';
import { AsyncView } from '../components/states';
import { PageHeader, StatusPill, Time, TypeBadge } from '../components/ui';
import { DaemonSnippet } from '../repositories/DaemonSnippet';
import { NewRepositoryButtons } from '../repositories/RepositoryList';
import { BlobStoreUsage } from '../storage/BlobStoreUsage';
import { connectorPort } from '../repositories/model';
import { SetupGuide } from './SetupGuide';
import { type RatioSample, hitRatio, loadSamples, ratioSeries, recordSample } from './history';

export const POLL_MS = 10_000;

/** Every repository at a glance; proxies with upstream health, rate limits and cache efficiency, refreshed every 10 s. */
export function Dashboard({ notice }: { notice?: string | null }) {
  const list = useRepositories();
  return (
    <section>
      <PageHeader title="Dashboard" subtitle="Repositories, their connectors, how well the proxies cache, and how much the blob stores hold." actions={<NewRepositoryButtons />} />
      {notice && (
        <p className="notice" role="status">
          Created {notice}.
        </p>
      )}
      <AsyncView state={list} loadingLabel="Loading repositories…">
        {(repositories) => (
          <>
            <SetupGuide repositories={repositories} />
            {repositories.length > 0 && (
              <>
                <p className="muted summary-line">
                  {plural(repositories.length, 'repository', 'repositories')}: {plural(repositories.filter((r) => r.type === 'hosted').length, 'hosted', 'hosted')},{' '}
                  {plural(repositories.filter((r) => r.type === 'proxy').length, 'proxy', 'proxies')}, {plural(repositories.filter((r) => r.type === 'group').length, 'group')}
                </p>
                <div className="cards">
                  {[...repositories]
                    .sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name))
                    .map((r) => (
                      <RepositoryCard key={r.name} summary={r} />
                    ))}
                </div>
              </>
            )}
            <BlobStoreUsage />
          </>
        )}
      </AsyncView>
    </section>
  );
}

function isProxyStatus(status: RepositoryStatusJson | null): status is ProxyStatusJson {
  return !!status && 'upstream' in status;
}

export function RepositoryCard({ summary }: { summary: RepositorySummary }) {
  const api = useApi();
  // Proxies are polled (not while the tab is hidden); each answer adds a sample to the hit-ratio chart.
  const state = useApiQuery(
    ['status', summary.name],
    async () => {
      const next = await api.repositoryStatus(summary.name);
      if (isProxyStatus(next)) recordSample(summary.name, { t: Date.now(), hits: next.counters.cacheHits, misses: next.counters.cacheMisses });
      return { status: next, at: new Date().toISOString() };
    },
    { refetchInterval: summary.type === 'proxy' ? POLL_MS : false },
  );
  const status = state.data?.status ?? null;
  const error = state.error;

  const port = connectorPort(summary);
  return (
    <article className="card repo-card" aria-labelledby={`card-${summary.name}`}>
      <header className="repo-card-head">
        <h2 id={`card-${summary.name}`}>
          <Link to={routePath('repositories', summary.type, summary.name)}>{summary.name}</Link>
        </h2>
        <TypeBadge type={summary.type} />
        {status ? status.online ? <StatusPill tone="ok">online</StatusPill> : <StatusPill tone="bad">offline</StatusPill> : null}
      </header>
      <dl className="facts">
        <dt>Connector</dt>
        <dd>{port !== null ? <span className="mono">:{port}</span> : <span className="muted">none (path routing only)</span>}</dd>
        <dt>URL</dt>
        <dd className="mono small break">{summary.url}</dd>
      </dl>
      {error !== undefined && (
        <p className="inline-error" role="alert">
          Status unavailable: {describeError(error)}
        </p>
      )}
      {status === null && error === undefined && <p className="muted small">Loading status…</p>}
      {isProxyStatus(status) && <ProxyStatusDetails status={status} samples={loadSamples(summary.name)} updatedAt={state.data?.at ?? null} />}
      <footer className="repo-card-actions">
        <Link className="btn btn-small" to={routePath('browse', summary.name)}>
          Browse
        </Link>
        <DaemonSnippet repository={summary} compact />
      </footer>
    </article>
  );
}

/** When an auto-blocked upstream is tried again, from now. */
function retryText(until: string | null): string {
  return until && Date.parse(until) - Date.now() > 10_000 ? `, retry ${formatRelative(until)}` : ', retrying soon';
}

function UpstreamState({ upstream }: { upstream: ProxyStatusJson['upstream'] }) {
  if (upstream.blocked) return <StatusPill tone="warn">blocked by setting</StatusPill>;
  if (upstream.autoBlocked) {
    const until = upstream.autoBlockedUntil;
    return (
      <StatusPill tone="bad">
        <span title={until ? `Auto-blocked until ${formatDateTime(until)}` : undefined}>auto-blocked{retryText(until)}</span>
      </StatusPill>
    );
  }
  if (upstream.reachable === true) return <StatusPill tone="ok">reachable</StatusPill>;
  if (upstream.reachable === false) return <StatusPill tone="bad">unreachable</StatusPill>;
  return <StatusPill tone="neutral">not contacted yet</StatusPill>;
}

export function ProxyStatusDetails({ status, samples, updatedAt }: { status: ProxyStatusJson; samples: RatioSample[]; updatedAt: string | null }) {
  const { upstream, rateLimit, counters } = status;
  const ratio = hitRatio(counters.cacheHits, counters.cacheMisses);
  const bytesTotal = counters.bytesFromCache + counters.bytesFromUpstream;
  const cacheShare = bytesTotal === 0 ? 0 : counters.bytesFromCache / bytesTotal;
  const requests = Object.entries(counters.upstreamRequests ?? {}).filter(([, n]) => n > 0);
  return (
    <div className="proxy-status">
      <div className="status-row">
        <span className="status-label">Upstream</span>
        <UpstreamState upstream={upstream} />
      </div>
      <p className="mono small break muted">{upstream.remoteUrl}</p>
      {upstream.lastFailure && (upstream.reachable === false || upstream.autoBlocked) && (
        <p className="inline-error small">
          Last failure <Time iso={upstream.lastFailure.at} />: {upstream.lastFailure.message}
        </p>
      )}
      {upstream.lastSuccessAt && (
        <p className="small muted">
          Last successful call <Time iso={upstream.lastSuccessAt} />
        </p>
      )}

      <div className="status-row">
        <span className="status-label">Pull rate limit</span>
        {rateLimit && (rateLimit.limit !== null || rateLimit.remaining !== null) ? (
          <span>
            <strong>{formatCount(rateLimit.remaining)}</strong> of {formatCount(rateLimit.limit)} left
            <span className="muted small">
              {' '}
              ({rateLimit.source ? `${rateLimit.source}, ` : ''}seen <Time iso={rateLimit.observedAt} />)
            </span>
          </span>
        ) : (
          <span className="muted">no rate-limit headers seen</span>
        )}
      </div>
      {rateLimit && rateLimit.limit !== null && rateLimit.remaining !== null && rateLimit.limit > 0 && (
        <div className="meter" role="meter" aria-label="Pull rate limit left" aria-valuemin={0} aria-valuemax={rateLimit.limit} aria-valuenow={rateLimit.remaining}>
          <span style={{ width: `${Math.max(0, Math.min(100, (rateLimit.remaining / rateLimit.limit) * 100))}%` }} className={rateLimit.remaining / rateLimit.limit < 0.1 ? 'meter-low' : ''} />
        </div>
      )}

      <div className="ratio">
        <div>
          <span className="status-label">Cache hit ratio</span>
          <p className="big-number">{formatPercent(ratio)}</p>
          <p className="small muted">
            {formatCount(counters.cacheHits)} hits, {formatCount(counters.cacheMisses)} misses
          </p>
        </div>
        <Sparkline values={ratioSeries(samples)} label={`Cache hit ratio of ${status.name} over this session`} />
      </div>

      <div className="status-row">
        <span className="status-label">Bytes served</span>
        <span className="small">
          {formatBytes(counters.bytesFromCache)} from cache · {formatBytes(counters.bytesFromUpstream)} from upstream
        </span>
      </div>
      <div className="bytes-bar" role="img" aria-label={`${formatPercent(bytesTotal === 0 ? null : cacheShare)} of the bytes came from the cache`}>
        {bytesTotal > 0 && (
          <>
            <span className="bytes-cache" style={{ width: `${cacheShare * 100}%` }} />
            <span className="bytes-upstream" style={{ width: `${(1 - cacheShare) * 100}%` }} />
          </>
        )}
      </div>

      <p className="small muted">
        {counters.staleServed > 0 && <>{plural(counters.staleServed, 'stale answer')} served · </>}
        {counters.upstreamFailures > 0 && <>{plural(counters.upstreamFailures, 'upstream failure')} · </>}
        {requests.length > 0 && <>upstream calls: {requests.map(([kind, n]) => `${kind} ${formatCount(n)}`).join(', ')} · </>}
        {status.fillsInFlight > 0 && <>{plural(status.fillsInFlight, 'download')} in progress · </>}
        updated {updatedAt ? <Time iso={updatedAt} /> : '—'}, every {POLL_MS / 1000} s
      </p>
    </div>
  );
}
