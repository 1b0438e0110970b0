import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { ComponentJson } from '@wharf/api-types';
import { useApi } from '../api/context';

export interface ComponentsState {
  items: ComponentJson[];
  complete: boolean;
  loading: boolean;
  error: unknown;
  loadMore: () => void;
  loadAll: () => void;
  refresh: () => void;
}

const componentsKey = (repository: string) => ['components', repository];

/** Forgets what was read of a repository's components (after a delete), so the next view reads them again. */
export function useForgetComponents(): (repository: string) => void {
  const client = useQueryClient();
  return (repository) => client.removeQueries({ queryKey: componentsKey(repository) });
}

/**
 * Components (one per image tag) of a repository, read page by page with the continuation token and kept 30 s.
 * The image list reads the first page and more on demand; the tag list of one image reads every page (the API has
 * no filter by image name).
 */
export function useComponents(repository: string, mode: 'page' | 'all'): ComponentsState {
  const api = useApi();
  const client = useQueryClient();
  const [all, setAll] = useState(mode === 'all');
  const query = useInfiniteQuery({
    queryKey: componentsKey(repository),
    queryFn: ({ pageParam }) => api.listComponents(repository, pageParam),
    initialPageParam: null as string | null,
    // A token seen before would loop forever: stop there.
    getNextPageParam: (last, _pages, _param, params) => (last.continuationToken && !params.includes(last.continuationToken) ? last.continuationToken : undefined),
    staleTime: 30_000,
  });
  const { hasNextPage, isFetching, fetchNextPage, error } = query;
  const reading = all && hasNextPage && error === null;

  useEffect(() => {
    if (reading && !isFetching) void fetchNextPage();
  }, [reading, isFetching, fetchNextPage]);

  return {
    items: query.data?.pages.flatMap((p) => p.items) ?? [],
    complete: query.data !== undefined && !hasNextPage,
    loading: isFetching || reading,
    error: error ?? undefined,
    loadMore: () => void fetchNextPage(),
    loadAll: () => setAll(true),
    refresh: () => void client.resetQueries({ queryKey: componentsKey(repository) }),
  };
}

export interface ImageGroup {
  name: string;
  tags: ComponentJson[];
  lastModified: string | null;
  lastDownloaded: string | null;
}

function latest(a: string | null, b: string | null | undefined): string | null {
  if (!b) return a;
  if (!a) return b;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

/** Components grouped by image name, sorted by name. */
export function groupByImage(items: ComponentJson[]): ImageGroup[] {
  const groups = new Map<string, ImageGroup>();
  for (const item of items) {
    const group = groups.get(item.name) ?? { name: item.name, tags: [], lastModified: null, lastDownloaded: null };
    group.tags.push(item);
    const asset = item.assets[0];
    group.lastModified = latest(group.lastModified, asset?.lastModified);
    group.lastDownloaded = latest(group.lastDownloaded, asset?.lastDownloaded);
    groups.set(item.name, group);
  }
  return [...groups.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The members holding tags of an image listed from a group (its components' repositories), in the listing's order. */
export function membersOf(image: ImageGroup): string[] {
  return [...new Set(image.tags.map((t) => t.repository))];
}
