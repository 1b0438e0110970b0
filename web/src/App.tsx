import { type ReactNode, useCallback, useEffect, useMemo, useState } from 'react';
import { ApiClient, type Credentials } from './api/client';
import { ApiProvider } from './api/context';
import { SignIn } from './auth/SignIn';
import { clearSession, loadSession, saveSession } from './auth/session';
import { BrowseHome } from './browse/BrowseHome';
import { ImageList } from './browse/ImageList';
import { ManifestPage } from './browse/ManifestView';
import { TagList } from './browse/TagList';
import { Link, type RouteLocation, useLocation } from './components/router';
import { EmptyState } from './components/states';
import { Dashboard } from './dashboard/Dashboard';
import { CreateRepositoryPage, EditRepositoryPage, isRepositoryType } from './repositories/RepositoryPages';
import { RepositoryList } from './repositories/RepositoryList';
import { SecurityPage, securityTabOf } from './security/SecurityPage';
import { StoragePage, storageTabOf } from './storage/StoragePage';

/** The admin UI: sign-in, then the shell with the hash-routed pages. */
export function App({ fetchImpl }: { fetchImpl?: typeof fetch }) {
  const [credentials, setCredentials] = useState<Credentials | null>(() => loadSession());
  const [notice, setNotice] = useState<string | null>(null);

  const signOut = useCallback((message: string | null) => {
    clearSession();
    setCredentials(null);
    setNotice(message);
  }, []);

  const client = useMemo(
    () =>
      credentials
        ? new ApiClient({
            credentials,
            ...(fetchImpl ? { fetch: fetchImpl } : {}),
            onUnauthorized: () => signOut('The server no longer accepts your credentials (the password may have changed). Sign in again.'),
          })
        : null,
    [credentials, fetchImpl, signOut],
  );

  if (!client || !credentials) {
    return (
      <SignIn
        notice={notice}
        {...(fetchImpl ? { fetchImpl } : {})}
        onSignedIn={(c) => {
          saveSession(c);
          setNotice(null);
          setCredentials(c);
        }}
      />
    );
  }
  return (
    <ApiProvider client={client}>
      <Shell username={credentials.username} onSignOut={() => signOut('Signed out.')} />
    </ApiProvider>
  );
}

const NAV = [
  { section: '', label: 'Dashboard', to: '/' },
  { section: 'repositories', label: 'Repositories', to: '/repositories' },
  { section: 'browse', label: 'Browse', to: '/browse' },
  { section: 'storage', label: 'Storage', to: '/storage' },
  { section: 'security', label: 'Security', to: '/security' },
];

function Shell({ username, onSignOut }: { username: string; onSignOut: () => void }) {
  const location = useLocation();
  const section = location.segments[0] ?? '';
  const { title, view } = route(location);

  useEffect(() => {
    document.title = title ? `${title} · Wharf` : 'Wharf';
  }, [title]);

  return (
    <div className="app">
      <a href="#main" className="skip-link" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand" aria-label="Wharf dashboard">
          <span className="brand-mark" aria-hidden="true" />
          Wharf
        </Link>
        <nav className="nav" aria-label="Main">
          {NAV.map((n) => (
            <Link key={n.to} to={n.to} className={`nav-link${section === n.section ? ' nav-current' : ''}`} aria-current={section === n.section ? 'page' : undefined}>
              {n.label}
            </Link>
          ))}
        </nav>
        <div className="user">
          <span className="user-name" title={`Signed in as ${username}`}>
            {username}
          </span>
          <button type="button" className="btn btn-small" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        <div key={location.path}>{view}</div>
      </main>
    </div>
  );
}

function route(location: RouteLocation): { title: string; view: ReactNode } {
  const [section, a, b, c, ...rest] = location.segments;
  const q = location.query;
  if (rest.length === 0) {
    if (section === undefined) return { title: 'Dashboard', view: <Dashboard notice={q.get('created')} /> };
    if (section === 'repositories') {
      if (a === undefined) {
        const created = q.get('created');
        const deleted = q.get('deleted');
        return { title: 'Repositories', view: <RepositoryList notice={created ? `Created ${created}.` : deleted ? `Deleted ${deleted}.` : null} /> };
      }
      if (a === 'new' && isRepositoryType(b) && c === undefined) return { title: `New ${b} repository`, view: <CreateRepositoryPage type={b} query={q} /> };
      if (isRepositoryType(a) && b !== undefined && c === undefined) return { title: b, view: <EditRepositoryPage type={a} name={b} /> };
    }
    if (section === 'browse') {
      if (a === undefined) return { title: 'Browse', view: <BrowseHome /> };
      if (b === undefined) return { title: a, view: <ImageList repository={a} /> };
      if (c === undefined) return { title: `${b} in ${a}`, view: <TagList repository={a} image={b} /> };
      return { title: `${b}:${c}`, view: <ManifestPage repository={a} image={b} reference={c} /> };
    }
    if (section === 'storage' && b === undefined) {
      const tab = storageTabOf(a);
      if (tab) return { title: tab === 'tasks' ? 'Tasks' : 'Cleanup policies', view: <StoragePage tab={tab} /> };
    }
    if (section === 'security' && b === undefined) {
      const tab = securityTabOf(a);
      if (tab) return { title: 'Security', view: <SecurityPage tab={tab} /> };
    }
  }
  return {
    title: 'Not found',
    view: (
      <EmptyState title="There is no page here" action={<Link className="btn" to="/">Go to the dashboard</Link>}>
        <code>#{location.path}</code> is not a page of this UI.
      </EmptyState>
    ),
  };
}
