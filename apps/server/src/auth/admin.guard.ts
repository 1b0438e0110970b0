import { type CanActivate, type ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { parseAuthorization } from '@wharf/oci';
import type { Request, Response } from 'express';
import { REALM } from './basic-registry-access';
import { UsersService } from './users.service';

/** REST API calls need an administrator's Basic credentials (the full privilege model is the security work's). */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly users: UsersService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const credentials = parseAuthorization(req.headers.authorization);
    const user = credentials?.scheme === 'basic' ? await this.users.verify(credentials.username, credentials.password) : null;
    if (!user) {
      http.getResponse<Response>().setHeader('WWW-Authenticate', `Basic realm="${REALM}"`);
      throw new UnauthorizedException(credentials ? 'the username or password is incorrect' : 'authentication required');
    }
    if (!this.users.isAdmin(user)) throw new ForbiddenException(`${user.userId} is not an administrator`);
    return true;
  }
}
