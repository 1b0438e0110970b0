import { useState } from 'react';
import type { RepositorySummary } from '@wharf/api-types';
import { useApi } from '../api/context';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Link, routePath } from '../components/router';
import { AsyncView, EmptyState, Notice } from '../components/states';
import { PageHeader, TypeBadge } from '../components/ui';
import { useAsync } from '../components/useAsync';
import { DaemonSnippet } from './DaemonSnippet';
import { DeleteRepositoryDialog } from './DeleteRepository';
import { connectorPort } from './model';

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
  const api = useApi();
  const state = useAsync(() => api.listRepositories(), [api]);
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
            <div className="table-wrap">
              <table className="table table-stack">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Type</th>
                    <th scope="col">Connector port</th>
                    <th scope="col" className="hide-narrow">
                      URL
                    </th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {[...repositories]
                    .sort((a, b) => ORDER[a.type] - ORDER[b.type] || a.name.localeCompare(b.name))
                    .map((r) => (
                      <tr key={r.name}>
                        <td data-label="Name">
                          <Link to={routePath('repositories', r.type, r.name)} className="strong">
                            {r.name}
                          </Link>
                        </td>
                        <td data-label="Type">
                          <TypeBadge type={r.type} />
                        </td>
                        <td data-label="Connector port">{connectorPort(r) ?? <span className="muted">none</span>}</td>
                        <td data-label="URL" className="hide-narrow mono small">{r.url}</td>
                        <td className="actions-cell">
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
                        </td>
                      </tr>
                    ))}
                </tbody>
              </table>
            </div>
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
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const confirm = async () => {
    setBusy(true);
    try {
      await api.invalidateCache(repository.name);
      onDone(`Cache of ${repository.name} invalidated: cached tags are revalidated upstream on their next use.`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <ConfirmDialog title={`Invalidate the cache of ${repository.name}?`} confirmLabel="Invalidate cache" busy={busy} error={error} onConfirm={() => void confirm()} onCancel={onCancel}>
      <p>
        Every cached tag{repository.type === 'group' ? ' of its proxy members' : ''} is checked against the upstream the next time it is pulled. Cached
        layers stay; nothing is downloaded now.
      </p>
    </ConfirmDialog>
  );
}
