import { useRepositories } from '../api/queries';
import { Link, routePath } from '../components/router';
import { AsyncView, EmptyState } from '../components/states';
import { PageHeader, TypeBadge } from '../components/ui';
import { connectorPort } from '../repositories/model';

/** `#/browse`: pick a repository. */
export function BrowseHome() {
  const list = useRepositories();
  return (
    <section>
      <PageHeader title="Browse" subtitle="Images and tags stored in (or cached by) each repository." />
      <AsyncView state={list}>
        {(repositories) =>
          repositories.length === 0 ? (
            <EmptyState title="No repositories to browse" action={<Link className="btn btn-primary" to="/">Set up repositories</Link>} />
          ) : (
            <ul className="link-list">
              {[...repositories]
                .sort((a, b) => a.name.localeCompare(b.name))
                .map((r) => (
                  <li key={r.name}>
                    <Link to={routePath('browse', r.name)} className="link-card">
                      <span className="strong">{r.name}</span>
                      <TypeBadge type={r.type} />
                      <span className="muted small">{connectorPort(r) !== null ? `port ${connectorPort(r)}` : 'path routing'}</span>
                    </Link>
                  </li>
                ))}
            </ul>
          )
        }
      </AsyncView>
    </section>
  );
}
