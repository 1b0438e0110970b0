import type { DockerRepository, Page, RepositoryManager } from '@wharf/registry-core';
import { pageSize } from '@wharf/registry-core';
import { nextLink } from './discovery.handler';
import type { ErrorLog } from './error-writer';
import { pageQuery, sendJson } from './http-io';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** `/v2/_catalog` of one repository (connector port or /repository/<repo>): its images. */
export async function repositoryCatalog(repository: DockerRepository, query: URLSearchParams): Promise<{ page: Page<string>; n?: number }> {
  const request = pageQuery(query);
  if (request.n === 0) return { page: { items: [] }, n: 0 };
  return { page: await repository.listImages(request), ...(request.n !== undefined ? { n: request.n } : {}) };
}

/** `/v2/_catalog` on the main port: every repository's images as `<repository>/<image>`, in order, paginated. */
export async function globalCatalog(
  manager: RepositoryManager,
  query: URLSearchParams,
  visible: (repository: string) => boolean,
  view: (repository: DockerRepository) => DockerRepository,
  log: ErrorLog,
): Promise<{ page: Page<string>; n?: number }> {
  const request = pageQuery(query);
  if (request.n === 0) return { page: { items: [] }, n: 0 };
  const limit = pageSize(request);
  const [lastRepository, lastImage] = splitCursor(request.last);
  const items: string[] = [];
  for (const config of manager.configs()) {
    if (lastRepository !== undefined && config.name < lastRepository) continue;
    if (!visible(config.name) || !config.online) continue;
    const named = manager.get(config.name);
    if (!named) continue;
    const repository = view(named);
    let last = config.name === lastRepository ? lastImage : undefined;
    for (;;) {
      let page: Page<string>;
      try {
        page = await repository.listImages({ n: limit + 1 - items.length, ...(last ? { last } : {}) });
      } catch (err) {
        log.error(`catalog of ${config.name} failed: ${(err as Error).message}`);
        break;
      }
      items.push(...page.items.map((image) => `${config.name}/${image}`));
      if (items.length > limit || page.next === undefined) break;
      last = page.next;
    }
    if (items.length > limit) break;
  }
  const page: Page<string> = items.length > limit ? { items: items.slice(0, limit), next: items[limit - 1]! } : { items };
  return { page, ...(request.n !== undefined ? { n: request.n } : {}) };
}

function splitCursor(last: string | undefined): [string | undefined, string | undefined] {
  if (!last) return [undefined, undefined];
  const slash = last.indexOf('/');
  return slash < 0 ? [last, undefined] : [last.slice(0, slash), last.slice(slash + 1)];
}

export function sendCatalog(req: IncomingMessage, res: ServerResponse, path: string, result: { page: Page<string>; n?: number }): void {
  sendJson(res, 200, { repositories: result.page.items }, nextLink(path, result.n, result.page), req.method === 'HEAD');
}
