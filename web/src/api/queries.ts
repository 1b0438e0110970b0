import { type QueryKey, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { RepositorySummary } from '@wharf/api-types';
import type { Listing } from './client';
import { useApi } from './context';
import { ApiError } from './errors';

/** What a view needs of a read: the data once there, the last error, whether a read is running, and a way to read again. */
export interface AsyncState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
  /** Replaces the cached answer (after a write that returned the new state). */
  setData: (data: T) => void;
}

/**
 * One read of the REST API, cached under `key` for the signed-in session: a page that mounts shows what is cached
 * and reads again; two views of the same key share one request. The key names everything `load` depends on.
 */
export function useApiQuery<T>(key: QueryKey, load: () => Promise<T>, options: { refetchInterval?: number | false } = {}): AsyncState<T> {
  const client = useQueryClient();
  const query = useQuery({ queryKey: key, queryFn: load, ...options });
  return {
    data: query.data,
    error: query.error ?? undefined,
    loading: query.isFetching,
    reload: () => void query.refetch(),
    setData: (data: T) => client.setQueryData(key, data),
  };
}

/** A write (save, delete, toggle): `busy` while it runs, its `error` until the next try; `onDone` gets the answer. */
export function useAction<A = void, R = unknown>(run: (arg: A) => Promise<R>, onDone?: (result: R, arg: A) => void, onFailed?: (error: unknown) => void) {
  const mutation = useMutation({ mutationFn: run, onSuccess: onDone, onError: onFailed });
  return { run: (arg: A) => mutation.mutate(arg), busy: mutation.isPending, error: mutation.error ?? undefined };
}

/** The items of a REST collection, cached under its path (a list page and a picker share one read). */
export function useCollection<T>(listing: Listing<T>): AsyncState<T[]> {
  return useApiQuery([listing.path], () => listing.list());
}

/** Every repository (the list many pages start from). */
export function useRepositories(): AsyncState<RepositorySummary[]> {
  const api = useApi();
  return useApiQuery(['repositories'], () => api.listRepositories());
}

/** One repository's summary (type, connector port, URL), from the list. */
export function useRepository(name: string): AsyncState<RepositorySummary> {
  const api = useApi();
  return useApiQuery(['repository', name], async () => {
    const found = (await api.listRepositories()).find((r) => r.name === name);
    if (!found) throw new ApiError(404, `There is no repository named ${name}.`);
    return found;
  });
}
