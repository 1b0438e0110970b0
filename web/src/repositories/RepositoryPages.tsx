import { useState } from 'react';
import type { GroupRepositoryView, HostedRepositoryView, ProxyRepositoryView, RepositorySummary, RepositoryType } from '@wharf/api-types';
import { useApi } from '../api/context';
import { useApiQuery, useRepositories } from '../api/queries';
import { CopyBlock } from '../components/CopyButton';
import { Link, navigate, routePath, withQuery } from '../components/router';
import { AsyncView, ErrorBox, Loading, isNotFound, Notice } from '../components/states';
import { PageHeader, TypeBadge } from '../components/ui';
import { DaemonSnippet } from './DaemonSnippet';
import { DeleteRepositoryDialog } from './DeleteRepository';
import { GroupForm } from './GroupForm';
import { HostedForm } from './HostedForm';
import { ProxyForm } from './ProxyForm';
import { InvalidateCacheDialog } from './RepositoryList';
import {
  TYPE_LABEL,
  applyDockerHubPreset,
  connectorPort,
  defaultGroup,
  defaultHosted,
  defaultProxy,
  groupFromJson,
  hostName,
  hostedFromJson,
  mainHost,
  mainPortOf,
  proxyFromJson,
} from './model';
import type { ValidationContext } from './validation';

export function isRepositoryType(value: string | undefined): value is RepositoryType {
  return value === 'hosted' || value === 'proxy' || value === 'group';
}

/** `#/repositories/new/<type>?name=&port=&preset=hub&members=a,b&writable=a&return=/` */
export function CreateRepositoryPage({ type, query }: { type: RepositoryType; query: URLSearchParams }) {
  const api = useApi();
  const list = useRepositories();
  const returnTo = query.get('return');
  const done = (name: string) => navigate(withQuery(returnTo ?? '/repositories', { created: name }));
  const cancel = () => navigate(returnTo ?? '/repositories');
  return (
    <section>
      <PageHeader
        crumbs={
          <>
            <Link to="/repositories">Repositories</Link> / new
          </>
        }
        title={`New ${type} repository`}
        subtitle={SUBTITLE[type]}
      />
      <AsyncView state={list}>
        {(repositories) => {
          const context: ValidationContext = { mode: 'create', repositories, mainPort: mainPortOf(repositories) };
          const key = `${type}?${query.toString()}`;
          const name = query.get('name') ?? '';
          const port = query.get('port') ?? '';
          switch (type) {
            case 'hosted': {
              const initial = { ...defaultHosted(), name, docker: { ...defaultHosted().docker, httpPort: port } };
              return <HostedForm key={key} initial={initial} context={context} save={(json) => api.createRepository('hosted', json)} onSaved={(json) => done(json.name)} onCancel={cancel} />;
            }
            case 'proxy': {
              let initial = { ...defaultProxy(), name, docker: { ...defaultProxy().docker, httpPort: port } };
              if (query.get('preset') === 'hub') initial = applyDockerHubPreset(initial);
              return <ProxyForm key={key} initial={initial} context={context} save={(json) => api.createRepository('proxy', json)} onSaved={(json) => done(json.name)} onCancel={cancel} />;
            }
            case 'group': {
              const members = (query.get('members') ?? '').split(',').filter((m) => repositories.some((r) => r.name === m));
              const writable = query.get('writable') ?? '';
              const initial = {
                ...defaultGroup(),
                name,
                memberNames: members,
                writableMember: members.includes(writable) ? writable : '',
                docker: { ...defaultGroup().docker, httpPort: port },
              };
              return <GroupForm key={key} initial={initial} context={context} save={(json) => api.createRepository('group', json)} onSaved={(json) => done(json.name)} onCancel={cancel} />;
            }
          }
        }}
      </AsyncView>
    </section>
  );
}

const SUBTITLE: Record<RepositoryType, string> = {
  hosted: 'Stores the images you push.',
  proxy: 'Caches a remote registry such as Docker Hub: pulled once, then served locally.',
  group: 'Serves the union of its members through one address: the one to configure as registry mirror.',
};

type AnyView = HostedRepositoryView | ProxyRepositoryView | GroupRepositoryView;

/** `#/repositories/<type>/<name>`: edit form, how to use it, and the dangerous actions. */
export function EditRepositoryPage({ type, name }: { type: RepositoryType; name: string }) {
  const api = useApi();
  const state = useApiQuery(['repository-view', type, name], async () => {
    const [repositories, view] = await Promise.all([api.listRepositories(), api.getRepository(type, name) as Promise<AnyView>]);
    return { repositories, view };
  });
  const [saved, setSaved] = useState(false);
  const [dialog, setDialog] = useState<'delete' | 'invalidate' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const header = (
    <PageHeader
      crumbs={
        <>
          <Link to="/repositories">Repositories</Link> / {name}
        </>
      }
      title={
        <>
          {name} <TypeBadge type={type} />
        </>
      }
      actions={
        <>
          <Link className="btn" to={routePath('browse', name)}>
            Browse images
          </Link>
          {type !== 'hosted' && (
            <button type="button" className="btn" onClick={() => setDialog('invalidate')}>
              Invalidate cache
            </button>
          )}
          <button type="button" className="btn btn-danger-quiet" onClick={() => setDialog('delete')}>
            Delete
          </button>
        </>
      }
    />
  );

  if (state.error !== undefined && isNotFound(state.error) && !state.data) {
    return (
      <section>
        {header}
        <ErrorBox error={state.error} title={`No ${type} repository named ${name}.`} />
        <p>
          <Link to="/repositories">Back to the repositories</Link>
        </p>
      </section>
    );
  }
  if (!state.data) return <section>{header}{state.error !== undefined ? <ErrorBox error={state.error} onRetry={state.reload} /> : <Loading />}</section>;

  const { repositories, view } = state.data;
  const summary: RepositorySummary = repositories.find((r) => r.name === name) ?? { name, format: 'docker', type, url: view.url, attributes: { docker: { httpPort: view.docker.httpPort, httpsPort: view.docker.httpsPort ?? null } } };
  const context: ValidationContext = { mode: 'edit', repositories, mainPort: mainPortOf(repositories) };
  const onSaved = () => {
    setSaved(true);
    setNotice(null);
    state.reload();
    window.scrollTo?.({ top: 0 });
  };
  const key = JSON.stringify(view);

  return (
    <section>
      {header}
      {saved && (
        <p className="notice" role="status">
          Saved. Changes to the connector port take effect at once.
        </p>
      )}
      <Notice text={notice} />
      <div className="split">
        <div className="split-main">
          {view.type === 'hosted' && (
            <HostedForm key={key} initial={hostedFromJson(view)} context={context} save={(json) => api.updateRepository('hosted', name, json)} onSaved={onSaved} onCancel={() => navigate('/repositories')} />
          )}
          {view.type === 'proxy' && (
            <ProxyForm key={key} initial={proxyFromJson(view)} context={context} save={(json) => api.updateRepository('proxy', name, json)} onSaved={onSaved} onCancel={() => navigate('/repositories')} />
          )}
          {view.type === 'group' && (
            <GroupForm key={key} initial={groupFromJson(view)} context={context} save={(json) => api.updateRepository('group', name, json)} onSaved={onSaved} onCancel={() => navigate('/repositories')} />
          )}
        </div>
        <aside className="split-side">
          <UsagePanel summary={summary} />
        </aside>
      </div>
      {dialog === 'delete' && (
        <DeleteRepositoryDialog repository={summary} repositories={repositories} onCancel={() => setDialog(null)} onDeleted={() => navigate(withQuery('/repositories', { deleted: name }))} />
      )}
      {dialog === 'invalidate' && (
        <InvalidateCacheDialog
          repository={summary}
          onCancel={() => setDialog(null)}
          onDone={(text) => {
            setDialog(null);
            setNotice(text);
          }}
        />
      )}
    </section>
  );
}

/** How clients reach the repository: addresses, commands, daemon.json. */
export function UsagePanel({ summary }: { summary: RepositorySummary }) {
  const port = connectorPort(summary);
  const viaPort = port !== null ? `${hostName(summary)}:${port}` : null;
  const viaPath = `${mainHost(summary)}/${summary.name}`;
  const image = summary.type === 'proxy' || summary.type === 'group' ? 'library/busybox:latest' : 'my-app:1.0';
  return (
    <div className="card usage">
      <h2>Use it</h2>
      <dl className="facts">
        <dt>Type</dt>
        <dd>{TYPE_LABEL[summary.type]}</dd>
        <dt>By path</dt>
        <dd className="mono">{viaPath}/…</dd>
        <dt>Connector</dt>
        <dd className="mono">{viaPort ?? <span className="muted">none</span>}</dd>
        <dt>URL</dt>
        <dd className="mono small">{summary.url}</dd>
      </dl>
      {summary.type === 'hosted' ? (
        <CopyBlock label="push commands" text={`docker tag ${image} ${viaPort ?? viaPath}/${image}\ndocker push ${viaPort ?? viaPath}/${image}`} />
      ) : (
        <CopyBlock label="pull command" text={`docker pull ${viaPort ?? viaPath}/${image}`} />
      )}
      <DaemonSnippet repository={summary} />
    </div>
  );
}
