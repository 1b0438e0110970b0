import { type ExecutionContext, ForbiddenException, HttpException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { parseAuthorization } from '@wharf/oci';
import type { Request, Response } from 'express';
import { clientAddress } from '../../http/client-address';
import { AnonymousAccess } from '../domain/anonymous-access';
import { Authenticator, type Login } from '../domain/authenticator';
import { ThrottledError } from '../domain/errors';
import { METRICS_PRIVILEGE } from '../domain/privileges';
import { BASIC_REALM } from '../registry-realm/realm-registry-access';
import { SecurityModel } from '../domain/security-model';
import { API_TOKEN_STRATEGY, useAuthenticator } from './api-token.strategy';
import { REST_ACCESS, type RestAccessLevel, type RestPrincipal, setPrincipal } from './rest-principal';

const WRONG = 'the username or password is incorrect';

/**
 * REST API authentication: Basic credentials of a local user, or an API token as a bearer token (through
 * passport-http-bearer). Handlers are for administrators unless marked @AnyUser() or @Browse().
 */
@Injectable()
export class RestAuthGuard extends AuthGuard(API_TOKEN_STRATEGY) {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    private readonly model: SecurityModel,
    private readonly anonymous: AnonymousAccess,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const level = this.reflector.getAllAndOverride<RestAccessLevel | undefined>(REST_ACCESS, [context.getHandler(), context.getClass()]) ?? 'admin';
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const principal = await this.identify(context, req, res, level);
    setPrincipal(req, principal);
    if (level === 'admin' && !principal.admin) {
      if (principal.anonymous) throw unauthorized(res, 'authentication required');
      throw new ForbiddenException(`${principal.userId} is not an administrator`);
    }
    if (level === 'metrics' && !principal.admin && !this.model.privilegesOf(principal.userId).allowsMetrics) {
      throw new ForbiddenException(`${principal.userId} may not read metrics (privilege ${METRICS_PRIVILEGE})`);
    }
    return true;
  }

  private async identify(context: ExecutionContext, req: Request, res: Response, level: RestAccessLevel): Promise<RestPrincipal> {
    const header = req.headers.authorization;
    if (header === undefined) {
      if (level === 'browse' && this.anonymous.enabled) {
        const userId = this.anonymous.get().userId;
        return { userId, anonymous: true, admin: false, roles: this.model.rolesOf(userId), via: 'anonymous' };
      }
      throw unauthorized(res, 'authentication required');
    }
    const credentials = parseAuthorization(header);
    let login: Login | null = null;
    if (credentials?.scheme === 'basic') {
      try {
        login = await this.authenticator.basic(credentials.username, credentials.password, clientAddress(req), 'rest');
      } catch (err) {
        if (err instanceof ThrottledError) {
          res.setHeader('Retry-After', String(err.retryAfter));
          throw new HttpException(err.message, 429);
        }
        throw err;
      }
    } else if (credentials?.scheme === 'bearer') {
      useAuthenticator(req, this.authenticator);
      await super.canActivate(context); // passport-http-bearer -> ApiTokenStrategy.validate -> handleRequest
      login = (req as Request & { user?: Login }).user ?? null;
    }
    if (!login) throw unauthorized(res, credentials ? WRONG : 'authentication required');
    return {
      userId: login.userId,
      anonymous: false,
      admin: this.model.isAdmin(login.userId),
      roles: this.model.rolesOf(login.userId),
      via: login.via,
    };
  }

  override handleRequest<T>(err: unknown, user: T, _info: unknown, context: ExecutionContext): T {
    if (err) throw err;
    if (!user) throw unauthorized(context.switchToHttp().getResponse<Response>(), WRONG);
    return user;
  }
}

function unauthorized(res: Response, message: string): UnauthorizedException {
  res.setHeader('WWW-Authenticate', `Basic realm="${BASIC_REALM}"`);
  return new UnauthorizedException(message);
}
