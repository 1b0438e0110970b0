import { useCallback, useEffect, useRef, useState } from 'react';
import type { ComponentJson } from '@wharf/api-types';
import type { ApiClient } from '../api/client';

/** Components (one per image tag) of a repository, read page by page with the continuation token. */
interface Loaded {
  items: ComponentJson[];
  next: string | null;
  complete: boolean;
  at: number;
}

const cache = new Map<string, Loaded>();
const FRESH_MS = 30_000;

/** Forget what was read for a repository (after a delete or an explicit refresh). */
export function forgetComponents(repository: string): void {
  cache.delete(repository);
}

export interface ComponentsState {
  items: ComponentJson[];
  complete: boolean;
  loading: boolean;
  error: unknown;
  loadMore: () => void;
  loadAll: () => void;
  refresh: () => void;
}

/**
 * `until(items)` says when enough is loaded: the image list stops after the first page, the tag list of
 * one image reads every page (the API has no filter by image name).
 */
export function useComponents(api: ApiClient, repository: string, mode: 'page' | 'all'): ComponentsState {
  const [state, setState] = useState<{ data: Loaded; loading: boolean; error: unknown }>(() => ({
    data: cache.get(repository) ?? { items: [], next: null, complete: false, at: 0 },
    loading: true,
    error: undefined,
  }));
  const run = useRef(0);

  const load = useCallback(
    async (pages: number, start: Loaded | null) => {
      const id = ++run.current;
      let data: Loaded = start ?? { items: [], next: null, complete: false, at: Date.now() };
      setState({ data, loading: true, error: undefined });
      const seen = new Set<string>();
      try {
        for (let i = 0; i < pages && !data.complete; i++) {
          const token = data.next;
          if (token !== null && seen.has(token)) break;
          if (token !== null) seen.add(token);
          const page = await api.listComponents(repository, token);
          if (run.current !== id) return;
          data = { items: [...data.items, ...page.items], next: page.continuationToken, complete: !page.continuationToken, at: Date.now() };
          cache.set(repository, data);
          setState({ data, loading: !data.complete && i + 1 < pages, error: undefined });
        }
        setState({ data, loading: false, error: undefined });
      } catch (error) {
        if (run.current === id) setState({ data, loading: false, error });
      }
    },
    [api, repository],
  );

  useEffect(() => {
    const cached = cache.get(repository);
    const fresh = cached && Date.now() - cached.at < FRESH_MS;
    if (fresh && (cached.complete || mode === 'page')) {
      setState({ data: cached, loading: false, error: undefined });
      return;
    }
    if (fresh && mode === 'all') void load(Number.POSITIVE_INFINITY, cached);
    else void load(mode === 'all' ? Number.POSITIVE_INFINITY : 1, null);
    return () => {
      run.current += 1;
    };
  }, [load, repository, mode]);

  return {
    items: state.data.items,
    complete: state.data.complete,
    loading: state.loading,
    error: state.error,
    loadMore: () => void load(1, state.data),
    loadAll: () => void load(Number.POSITIVE_INFINITY, state.data),
    refresh: () => {
      forgetComponents(repository);
      void load(mode === 'all' ? Number.POSITIVE_INFINITY : 1, null);
    },
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
