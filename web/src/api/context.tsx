import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext } from 'react';
import type { ApiClient } from './client';

const ApiContext = createContext<ApiClient | null>(null);
const caches = new WeakMap<ApiClient, QueryClient>();

function cacheOf(client: ApiClient): QueryClient {
  let cache = caches.get(client);
  if (!cache) {
    cache = new QueryClient({ defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false }, mutations: { retry: false } } });
    caches.set(client, cache);
  }
  return cache;
}

/**
 * The signed-in client and its own query cache (TanStack Query): a new sign-in starts with an empty cache, so
 * nothing read as one user is shown to the next. Failures are shown with a Retry button rather than retried.
 */
export function ApiProvider({ client, children }: { client: ApiClient; children: ReactNode }) {
  return (
    <ApiContext.Provider value={client}>
      <QueryClientProvider client={cacheOf(client)}>{children}</QueryClientProvider>
    </ApiContext.Provider>
  );
}

/** The signed-in client; views call the server only through it. */
export function useApi(): ApiClient {
  const client = useContext(ApiContext);
  if (!client) throw new Error('useApi() outside <ApiProvider>');
  return client;
}
