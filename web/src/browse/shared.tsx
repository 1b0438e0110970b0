import type { ComponentJson, RepositorySummary } from '@wharf/api-types';
import { useApi } from '../api/context';
import { ApiError } from '../api/errors';
import { Link, routePath } from '../components/router';
import { type AsyncState, useAsync } from '../components/useAsync';

/** The repository's summary (type, connector port, URL) from the list. */
export function useRepository(name: string): AsyncState<RepositorySummary> {
  const api = useApi();
  return useAsync(async () => {
    const all = await api.listRepositories();
    const found = all.find((r) => r.name === name);
    if (!found) throw new ApiError(404, `There is no repository named ${name}.`);
    return found;
  }, [api, name]);
}

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
