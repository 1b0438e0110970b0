import { Link } from '../components/router';

export type SecurityTab = 'anonymous' | 'users' | 'roles' | 'realms' | 'tokens';

const TABS: { id: SecurityTab; label: string; path: string }[] = [
  { id: 'anonymous', label: 'Anonymous access', path: '/security' },
  { id: 'users', label: 'Users', path: '/security/users' },
  { id: 'roles', label: 'Roles', path: '/security/roles' },
  { id: 'realms', label: 'Realms', path: '/security/realms' },
  { id: 'tokens', label: 'API tokens', path: '/security/tokens' },
];

export function SecurityNav({ current }: { current: SecurityTab }) {
  return (
    <nav className="tabs" aria-label="Security sections">
      {TABS.map((t) => (
        <Link key={t.id} to={t.path} className={`tab${t.id === current ? ' tab-current' : ''}`} aria-current={t.id === current ? 'page' : undefined}>
          {t.label}
        </Link>
      ))}
    </nav>
  );
}
