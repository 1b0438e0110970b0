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
