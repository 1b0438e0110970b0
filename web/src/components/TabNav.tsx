import { Link } from './router';

export interface Tab<T extends string> {
  id: T;
  label: string;
  path: string;
}

/** The section tabs of a page (Security, Storage): links, the current one marked for screen readers too. */
export function TabNav<T extends string>({ label, tabs, current }: { label: string; tabs: readonly Tab<T>[]; current: T }) {
  return (
    <nav className="tabs" aria-label={label}>
      {tabs.map((t) => (
        <Link key={t.id} to={t.path} className={`tab${t.id === current ? ' tab-current' : ''}`} aria-current={t.id === current ? 'page' : undefined}>
          {t.label}
        </Link>
      ))}
    </nav>
  );
}
