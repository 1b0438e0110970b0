import type { BlobStoreSummaryJson } from '@wharf/api-types';
import { useApi } from '../api/context';
import { describeError } from '../api/errors';
import { useApiQuery } from '../api/queries';
import { Sparkline } from '../components/Sparkline';
import { formatBytes, formatCount } from '../components/format';
import { Link } from '../components/router';
import { isNotFound } from '../components/states';
import { StatusPill, Time } from '../components/ui';

/** Days of measurements the chart shows. */
export const HISTORY_DAYS = 30;

function quotaText(store: BlobStoreSummaryJson): string | null {
  const q = store.softQuota;
  if (!q) return null;
  return q.type === 'spaceUsedQuota' ? `soft quota: at most ${formatBytes(q.limit)} used` : `soft quota: at least ${formatBytes(q.limit)} free`;
}

export function quotaViolated(store: BlobStoreSummaryJson): boolean {
  const q = store.softQuota;
  if (!q) return false;
  if (q.type === 'spaceUsedQuota') return store.totalSizeInBytes > q.limit;
  return store.availableSpaceInBytes !== null && store.availableSpaceInBytes < q.limit;
}

/** The dashboard's storage section: each blob store's size, blob count, free space, soft quota, and size over time. */
export function BlobStoreUsage() {
  const api = useApi();
  const stores = useApiQuery(['blobstores'], () => api.listBlobStores());
  if (isNotFound(stores.error)) return null;
  return (
    <section className="section" aria-labelledby="storage-title">
      <h2 id="storage-title">Storage</h2>
      {stores.error !== undefined && (
        <p className="inline-error" role="alert">
          Blob stores unavailable: {describeError(stores.error)}
        </p>
      )}
      <div className="cards">
        {(stores.data ?? []).map((s) => (
          <BlobStoreCard key={s.name} store={s} />
        ))}
      </div>
      <p className="small muted">
        Measured by every garbage collection and the hourly usage task. Free space: <Link to="/storage/tasks">run the cleanup task</Link>; choose what goes with{' '}
        <Link to="/storage">cleanup policies</Link>.
      </p>
    </section>
  );
}

function BlobStoreCard({ store }: { store: BlobStoreSummaryJson }) {
  const api = useApi();
  const history = useApiQuery(['blobstore-usage', store.name, HISTORY_DAYS], () => api.blobStoreUsageHistory(store.name, HISTORY_DAYS));
  const sizes = (history.data ?? []).map((s) => s.totalBytes);
  const quota = quotaText(store);
  return (
    <article className="card store-card" aria-labelledby={`store-${store.name}`}>
      <header className="repo-card-head">
        <h3 id={`store-${store.name}`}>{store.name}</h3>
        <span className="badge">{store.type}</span>
        {store.unavailable ? <StatusPill tone="bad">unavailable</StatusPill> : quotaViolated(store) ? <StatusPill tone="warn">over soft quota</StatusPill> : null}
      </header>
      <div className="ratio">
        <div>
          <span className="status-label">Size</span>
          <p className="big-number">{formatBytes(store.totalSizeInBytes)}</p>
          <p className="small muted">{formatCount(store.blobCount)} blobs</p>
        </div>
        <Sparkline values={sizes} max={Math.max(1, ...sizes)} format={formatBytes} label={`Size of blob store ${store.name} over ${HISTORY_DAYS} days`} />
      </div>
      <dl className="facts">
        <dt>Free space</dt>
        <dd>{store.availableSpaceInBytes === null ? <span className="muted">not reported</span> : formatBytes(store.availableSpaceInBytes)}</dd>
        {quota && (
          <>
            <dt>Quota</dt>
            <dd>{quota}</dd>
          </>
        )}
        <dt>Measured</dt>
        <dd>
          <Time iso={store.measuredAt} />
        </dd>
      </dl>
    </article>
  );
}
