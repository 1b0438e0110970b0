import type { IncomingMessage } from 'node:http';

/** What the handlers of a request learned about it, for its access log line and metrics. */
export interface RequestFacts {
  /** Low-cardinality route template (the registry's, or `ui`); REST routes are read from Express. */
  route?: string;
  /** The repository the client addressed. */
  repository?: string;
  /** The authenticated user (`anonymous` for anonymous callers). */
  user?: string;
  /** Body bytes read by the native addon (a body taken off the parser: Node's socket never saw them). */
  bodyBytes?: number;
}

const FACTS = Symbol('wharf.request-facts');

export function factsOf(req: IncomingMessage): RequestFacts {
  const holder = req as IncomingMessage & { [FACTS]?: RequestFacts };
  return (holder[FACTS] ??= {});
}
