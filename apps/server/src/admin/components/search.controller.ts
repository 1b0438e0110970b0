import { BadRequestException, Controller, Get, Req, UseGuards } from '@nestjs/common';
import type { AssetJson, ComponentJson, PageJson } from '@wharf/api-types';
import type { Request } from 'express';
import { RegistryAccess } from '../../distribution/registry-access';
import { Browse, principalOf } from '../../security/rest-auth/rest-principal';
import { RestAuthGuard } from '../../security/rest-auth/rest-auth.guard';
import { WharfSettings } from '../../settings';
import { type SearchQuery, SearchService } from './search.service';

/** Query parameters answered, with Nexus's Docker-specific aliases. Anything else is refused: a filter must never be ignored. */
const PARAMETERS: Record<string, keyof SearchQuery> = {
  repository: 'repository',
  format: 'format',
  name: 'name',
  version: 'version',
  'docker.imageName': 'name',
  'docker.imageTag': 'version',
  sort: 'sort',
  direction: 'direction',
  continuationToken: 'continuationToken',
};

/** Nexus's `GET /service/rest/v1/search` and `/search/assets` (browse level: each caller sees what it may browse). */
@Controller('service/rest/v1/search')
@UseGuards(RestAuthGuard)
@Browse()
export class SearchController {
  constructor(
    private readonly search: SearchService,
    private readonly settings: WharfSettings,
    private readonly access: RegistryAccess,
  ) {}

  @Get()
  components(@Req() req: Request): Promise<PageJson<ComponentJson>> {
    return this.search.findComponents(searchQuery(req), this.settings.externalBase(req), this.browser(req));
  }

  @Get('assets')
  assets(@Req() req: Request): Promise<PageJson<AssetJson>> {
    return this.search.assets(searchQuery(req), this.settings.externalBase(req), this.browser(req));
  }

  private browser(req: Request): (repository: string) => boolean {
    const principal = principalOf(req);
    return (repository) => principal.admin || this.access.canAccess(principal, repository, 'browse');
  }
}

function searchQuery(req: Request): SearchQuery {
  const query: SearchQuery = {};
  for (const [key, value] of Object.entries(req.query)) {
    const field = PARAMETERS[key];
    if (!field) throw new BadRequestException(`search parameter ${key} is not supported by Wharf; use ${Object.keys(PARAMETERS).join(', ')}`);
    if (typeof value !== 'string') throw new BadRequestException(`search parameter ${key} must be given once`);
    query[field] = value;
  }
  return query;
}
