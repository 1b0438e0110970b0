import { Fragment, type ReactNode, useState } from 'react';
import type { RepositoryStatusSummaryJson, RepositorySummary } from '@wharf/api-types';
import { useApi } from '../api/context';
import { useApiQuery, useRepositories } from '../api/queries';
import { ActionDialog } from '../components/ActionDialog';
import { DataTable } from '../components/DataTable';
import { Link, routePath } from '../components/router';
import { AsyncView, EmptyState, Notice } from '../components/states';
import { PageHeader, TypeBadge } from '../components/ui';
import { RepositorySize, RepositoryStatus } from './RepositoryStatus';
import { DaemonSnippet } from './DaemonSnippet';
import { DeleteRepositoryDialog } from './DeleteRepository';
import { connectorPort, httpsConnectorPort } from './model';

export function NewRepositoryButtons() {
  return (
    <>
      <Link className="btn btn-primary" to={routePath('repositories', 'new', 'hosted')}>
        New hosted
      </Link>
      <Link className="btn" to={routePath('repositories', 'new', 'proxy')}>
        New proxy
      </Link>
      <Link className="btn" to={routePath('repositories', 'new', 'group')}>
        New group
      </Link>
    </>
  );
}

const ORDER = { group: 0, hosted: 1, proxy: 2 } as const;

/** Every repository, with its actions. */
export function RepositoryList({ notice }: { notice?: string | null }) {
  const state = useRepositories();
  const api = useApi();
  // Every repository's state and stored bytes in one request (Wharf's GET /repositoryStatus).
  const statuses = useApiQuery(['repository-status'], () => api.listRepositoryStatus());
  const statusOf = (name: string): RepositoryStatusSummaryJson | undefined => statuses.data?.find((s) => s.name === name);
  const missing = statuses.error !== undefined ? statuses.error : statuses.data === undefined ? 'loading' : undefined;
  const [deleting, setDeleting] = useState<RepositorySummary | null>(null);
  const [invalidating, setInvalidating] = useState<RepositorySummary | null>(null);
  const [message, setMessage] = useState<string | null>(notice ?? null);

  return (
    <section>
      <PageHeader title="Repositories" subtitle="Hosted repositories take pushes, proxies cache a remote registry, groups serve several as one." actions={<NewRepositoryButtons />} />
      <Notice text={message} />
      <AsyncView state={state}>
        {(repositories) =>
          repositories.length === 0 ? (
            <EmptyState title="No repositories yet" action={<NewRepositoryButtons />}>
              Start with a Docker Hub proxy and a hosted repository, then join them in a group. The <Link to="/">dashboard</Link> walks you through it.
            </EmptyState>
          ) : (
            <DataTable
              rows={[...repositories].sort((a, b) => ORDER[a.type] - ORDER[b.type] || a.name.localeCompare(b.name))}
              rowKey={(r) => r.name}
              columns={[
                {
                  header: 'Name',
                  className: 'nowrap',
                  cell: (r) => (
                    <Link to={routePath('repositories', r.type, r.name)} className="strong">
                      {r.name}
                    </Link>
                  ),
                },
                { header: 'Type', cell: (r) => <TypeBadge type={r.type} /> },
                { header: 'Status', className: 'nowrap', cell: (r) => <RepositoryStatus status={statusOf(r.name)} missing={missing} /> },
                {
                  header: 'Size',
                  className: 'nowrap num',
                  title: 'Bytes stored: the distinct layers, configs and manifests of the repository (a blob shared with another repository counts in both). A group stores nothing itself: its figure is what its members store together.',
                  cell: (r) => <RepositorySize status={statusOf(r.name)} missing={missing} />,
                },
                { header: 'Connector port', cell: (r) => connectorLabel(r) ?? <span className="muted">none</span> },
                { header: 'Remote or members', wide: true, className: 'small', cell: (r) => sourceOf(r) },
                { header: 'URL', wide: true, className: 'mono small url-cell', cell: (r) => breakAtSlashes(r.url) },
              ]}
              actions={(r) => (
                <>
                  <Link className="btn btn-small" to={routePath('browse', r.name)}>
                    Browse
                  </Link>
                  <Link className="btn btn-small" to={routePath('repositories', r.type, r.name)}>
                    Edit
                  </Link>
                  <DaemonSnippet repository={r} compact />
                  {r.type !== 'hosted' && (
                    <button type="button" className="btn btn-small" onClick={() => setInvalidating(r)}>
                      Invalidate cache
                    </button>
                  )}
                  <button type="button" className="btn btn-small btn-danger-quiet" onClick={() => setDeleting(r)}>
                    Delete
                  </button>
                </>
              )}
            />
          )
        }
      </AsyncView>
      {deleting && state.data && (
        <DeleteRepositoryDialog
          repository={deleting}
          repositories={state.data}
          onCancel={() => setDeleting(null)}
          onDeleted={() => {
            setMessage(`Deleted ${deleting.name}.`);
            setDeleting(null);
            state.reload();
            statuses.reload();
          }}
        />
      )}
      {invalidating && (
        <InvalidateCacheDialog
          repository={invalidating}
          onDone={(text) => {
            setMessage(text);
            setInvalidating(null);
          }}
          onCancel={() => setInvalidating(null)}
        />
      )}
    </section>
  );
}

export function InvalidateCacheDialog({
  repository,
  onDone,
  onCancel,
}: {
  repository: RepositorySummary;
  onDone: (message: string) => void;
  onCancel: () => void;
}) {
  const api = useApi();
  return (
    <ActionDialog
      title={`Invalidate the cache of ${repository.name}?`}
      confirmLabel="Invalidate cache"
      danger={false}
      run={() => api.invalidateCache(repository.name)}
      onDone={() => onDone(`Cache of ${repository.name} invalidated: cached tags are revalidated upstream on their next use.`)}
      onCancel={onCancel}
    >
      <p>
        Every cached tag{repository.type === 'group' ? ' of its proxy members' : ''} is checked against the upstream the next time it is pulled. Cached
        layers stay; nothing is downloaded now.
      </p>
    </ActionDialog>
  );
}

/** `8182`, `8182, HTTPS 8443` or `HTTPS 8443`; null without a connector. */
function connectorLabel(r: RepositorySummary): string | null {
  const http = connectorPort(r);
  const https = httpsConnectorPort(r);
  const parts = [http === null ? null : String(http), https === null ? null : `HTTPS ${https}`].filter((p) => p !== null);
  return parts.length > 0 ? parts.join(', ') : null;
}

/** A proxy's remote URL, a group's members (in order), or what a hosted repository is for. */
function sourceOf(r: RepositorySummary): ReactNode {
  const remote = (r.attributes?.proxy as { remoteUrl?: unknown } | undefined)?.remoteUrl;
  if (typeof remote === 'string') return <span className="mono url-cell">{breakAtSlashes(remote)}</span>;
  const members = (r.attributes?.group as { memberNames?: unknown } | undefined)?.memberNames;
  if (Array.isArray(members)) return members.length > 0 ? members.join(', ') : <span className="muted">no members</span>;
  return <span className="muted">takes pushes</span>;
}

/** A URL that may wrap after a `/` only, never inside a name. */
function breakAtSlashes(url: string): ReactNode {
  return url.split(/(?<=\/)/).map((part, i) => (
    <Fragment key={i}>
      {i > 0 && <wbr />}
      {part}
    </Fragment>
  ));
}
