import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-http-bearer';
import { clientAddress } from '../../http/client-address';
import { Authenticator } from '../domain/authenticator';
import type { Login } from '../domain/authenticator';

export const API_TOKEN_STRATEGY = 'wharf-api-token';

const AUTHENTICATOR = Symbol('wharf.authenticator');

/**
 * passport strategies are registered by name on one global instance, so with several Wharf applications in
 * one process (tests) the last one registered would answer for all: the guard hands its own Authenticator
 * to the strategy through the request.
 */
export function useAuthenticator(req: Request, authenticator: Authenticator): void {
  (req as unknown as Record<symbol, Authenticator>)[AUTHENTICATOR] = authenticator;
}

/** `Authorization: Bearer <API token>` on the REST API (passport-http-bearer through @nestjs/passport). */
@Injectable()
export class ApiTokenStrategy extends PassportStrategy(Strategy, API_TOKEN_STRATEGY) {
  constructor(private readonly authenticator: Authenticator) {
    super({ passReqToCallback: true });
  }

  async validate(req: Request, token: string): Promise<Login | false> {
    const authenticator = (req as unknown as Record<symbol, Authenticator | undefined>)[AUTHENTICATOR] ?? this.authenticator;
    return (await authenticator.apiToken(token, clientAddress(req), 'rest')) ?? false;
  }
}
