import { Module } from '@nestjs/common';
import { ApiTokenStrategy } from './rest-auth/api-token.strategy';
import { RestAuthGuard } from './rest-auth/rest-auth.guard';
import { AnonymousController } from './rest-api/anonymous.controller';
import { ApiTokensController } from './rest-api/api-tokens.controller';
import { AuditController } from './rest-api/audit.controller';
import { PrivilegesController } from './rest-api/privileges.controller';
import { RealmsController } from './rest-api/realms.controller';
import { RolesController } from './rest-api/roles.controller';
import { UsersController } from './rest-api/users.controller';

/** The security endpoints of the REST API (`/service/rest/v1/security/...`, `/audit`) and REST authentication. */
@Module({
  controllers: [AnonymousController, UsersController, RolesController, PrivilegesController, RealmsController, ApiTokensController, AuditController],
  providers: [ApiTokenStrategy, RestAuthGuard],
  exports: [ApiTokenStrategy, RestAuthGuard],
})
export class SecurityModule {}
