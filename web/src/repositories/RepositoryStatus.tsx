import type { RepositoryStatusSummaryJson } from '@wharf/api-types';
import { describeError } from '../api/errors';
import { formatBytes, formatDateTime, formatCount } from '../components/format';
import { StatusPill } from '../components/ui';

type Tone = 'ok' | 'warn' | 'bad' | 'neutral';

/** What the Status column says of a repository: a word, its tone, and the explanation on hover. */
export function statusLabel(status: RepositoryStatusSummaryJson): { tone: Tone; label: string; title: string } {
  if (!status.online) return { tone: 'bad', label: 'offline', title: 'Offline: every registry request is refused; content and settings are kept.' };
  const upstream = status.upstream;
  if (!upstream) return { tone: 'ok', label: 'online', title: 'Online.' };
  const failure = upstream.lastFailure ? ` Last failure ${formatDateTime(upstream.lastFailure.at)}: ${upstream.lastFailure.message}` : '';
  if (upstream.blocked) return { tone: 'bad', label: 'blocked', title: `Blocked in its settings: ${upstream.remoteUrl} is never asked; only cached content is served.` };
  if (upstream.autoBlocked) {
    return {
      tone: 'warn',
      label: 'auto-blocked',
      title: `The remote failed, so it is not asked until ${formatDateTime(upstream.autoBlockedUntil)}; cached content is served.${failure}`,
    };
  }
  if (upstream.reachable === false) return { tone: 'warn', label: 'remote unavailable', title: `${upstream.remoteUrl} failed on its last request; cached content is served.${failure}` };
  if (upstream.reachable === null) return { tone: 'ok', label: 'online', title: `Online; ${upstream.remoteUrl} has not been asked yet.` };
  return { tone: 'ok', label: 'online', title: `Online; ${upstream.remoteUrl} last answered ${formatDateTime(upstream.lastSuccessAt)}.` };
}

/** `missing`: why there is no status for the row ('loading', or the read's error). */
export function RepositoryStatus({ status, missing }: { status: RepositoryStatusSummaryJson | undefined; missing: unknown }) {
  if (!status) return <Unknown missing={missing} />;
  const { tone, label, title } = statusLabel(status);
  return (
    <span title={title}>
      <StatusPill tone={tone}>{label}</StatusPill>
    </span>
  );
}

export function RepositorySize({ status, missing }: { status: RepositoryStatusSummaryJson | undefined; missing: unknown }) {
  if (!status) return <Unknown missing={missing} />;
  const { blobCount, totalSizeInBytes } = status.storage;
  const what = `${formatCount(blobCount)} ${blobCount === 1 ? 'blob' : 'blobs'} (layers, configs and manifests), each counted once`;
  if (status.type === 'group') {
    return (
      <span title={`A group stores nothing itself: what its members store together, ${what}.`}>
        {formatBytes(totalSizeInBytes)} <span className="cell-note">in members</span>
      </span>
    );
  }
  return <span title={`${what}.`}>{formatBytes(totalSizeInBytes)}</span>;
}

function Unknown({ missing }: { missing: unknown }) {
  if (missing === 'loading') return <span className="muted">…</span>;
  return (
    <span className="muted" title={missing === undefined ? 'Not known' : `Not known: ${describeError(missing)}`}>
      —
    </span>
  );
}
