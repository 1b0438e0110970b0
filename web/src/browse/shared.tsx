import type { ReactNode } from 'react';
import type { ComponentJson } from '@wharf/api-types';
import { Link, routePath } from '../components/router';

export function digestOf(component: ComponentJson): string | null {
  const checksum = component.assets[0]?.checksum;
  if (checksum?.sha256) return `sha256:${checksum.sha256}`;
  if (checksum?.sha512) return `sha512:${checksum.sha512}`;
  return null;
}

export function BrowseCrumbs({ repository, image, reference }: { repository?: string; image?: string; reference?: string }) {
  return (
    <>
      <Link to="/browse">Browse</Link>
      {repository && (
        <>
          {' / '}
          {image ? <Link to={routePath('browse', repository)}>{repository}</Link> : repository}
        </>
      )}
      {repository && image && (
        <>
          {' / '}
          {reference ? <Link to={routePath('browse', repository, image)}>{image}</Link> : image}
        </>
      )}
      {reference && <> / {reference.includes(':') ? reference.slice(0, 19) : reference}</>}
    </>
  );
}

/** The toolbar of a browse list: a search box that filters what is loaded, and what it counts (announced). */
export function FilterBar({ id, label, placeholder, value, onChange, children }: { id: string; label: string; placeholder: string; value: string; onChange: (value: string) => void; children: ReactNode }) {
  return (
    <div className="toolbar">
      <label htmlFor={id} className="sr-only">
        {label}
      </label>
      <input id={id} type="search" placeholder={placeholder} value={value} onChange={(e) => onChange(e.target.value)} />
      <span className="muted small" aria-live="polite">
        {children}
      </span>
    </div>
  );
}
