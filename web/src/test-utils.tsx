import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { ApiClient } from './api/client';
import { ApiProvider } from './api/context';

export interface Call {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
}

type Reply = { status?: number; json?: unknown; text?: string; headers?: Record<string, string> };
type Handler = Reply | ((call: Call) => Reply);

/** A fetch that answers from a table of `"METHOD /path?query"` (exact) routes and records every call. */
export function fakeFetch(routes: Record<string, Handler>) {
  const calls: Call[] = [];
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url;
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, key) => {
      headers[key.toLowerCase()] = value;
    });
    const call: Call = { method: init?.method ?? 'GET', url, headers, body: typeof init?.body === 'string' ? init.body : undefined };
    calls.push(call);
    const handler = routes[`${call.method} ${url}`];
    if (!handler) return new Response(JSON.stringify({ status: 404, message: `Cannot ${call.method} ${url}` }), { status: 404, headers: { 'Content-Type': 'application/json' } });
    const reply = typeof handler === 'function' ? handler(call) : handler;
    const body = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.text ?? null);
    const status = reply.status ?? 200;
    return new Response(status === 204 || status === 304 ? null : body, {
      status,
      headers: { ...(reply.json !== undefined ? { 'Content-Type': 'application/json' } : {}), ...reply.headers },
    });
  };
  return { fetch: fetchImpl as typeof fetch, calls };
}

export const TEST_CREDENTIALS = { username: 'admin', authorization: 'Basic YWRtaW46c2VjcmV0' };

export function renderWithApi(ui: ReactElement, routes: Record<string, Handler>) {
  const fake = fakeFetch(routes);
  const client = new ApiClient({ credentials: TEST_CREDENTIALS, fetch: fake.fetch });
  return { ...render(<ApiProvider client={client}>{ui}</ApiProvider>), calls: fake.calls, client };
}
