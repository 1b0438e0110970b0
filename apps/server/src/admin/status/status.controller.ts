import { Controller, Get, HttpCode, ServiceUnavailableException } from '@nestjs/common';
import { access, constants } from 'node:fs/promises';
import { WharfSettings } from '../../settings';
import { BlobStoreSpace } from './blob-store-space';
import { DatabaseHealth } from './database-health';

/** Anonymous health endpoints, as in Nexus: load balancers and scripts poll them. */
@Controller('service/rest/v1/status')
export class StatusController {
  constructor(
    private readonly db: DatabaseHealth,
    private readonly settings: WharfSettings,
    private readonly space: BlobStoreSpace,
  ) {}

  @Get()
  @HttpCode(200)
  async status(): Promise<Record<string, never>> {
    await this.db.check();
    return {};
  }

  @Get('writable')
  @HttpCode(200)
  async writable(): Promise<Record<string, never>> {
    try {
      await access(this.settings.dataDir, constants.W_OK);
      await this.db.check();
      const problem = await this.space.writeProblem();
      if (problem) throw new Error(problem);
    } catch (err) {
      throw new ServiceUnavailableException(`cannot write: ${(err as Error).message}`);
    }
    return {};
  }
}
