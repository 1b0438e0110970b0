import { type DynamicModule, Module } from '@nestjs/common';
import { AdminModule } from './admin/admin.module';
import { CoreModule } from './core.module';
import type { WharfCore } from './core';
import type { WharfSettings } from './settings';

@Module({})
export class AppModule {
  static register(core: WharfCore, settings: WharfSettings, host: string): DynamicModule {
    return { module: AppModule, imports: [CoreModule.register(core, settings, host), AdminModule] };
  }
}
