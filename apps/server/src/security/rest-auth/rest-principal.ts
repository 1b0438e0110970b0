import { SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { Principal } from '../../distribution/registry-access';
import type { AuditActor } from '../domain/audit';
import { clientAddress } from '../../http/client-address';
import { factsOf } from '../../http/request-facts';

/** The authenticated caller of a REST request (set by RestAuthGuard). */
export interface RestPrincipal extends Principal {
  admin: boolean;
}

const KEY = Symbol('wharf.principal');

export function setPrincipal(req: Request, principal: RestPrincipal): void {
  (req as unknown as Record<symbol, RestPrincipal>)[KEY] = principal;
  factsOf(req).user = principal.userId;
}

export function principalOf(req: Request): RestPrincipal {
  const principal = (req as unknown as Record<symbol, RestPrincipal | undefined>)[KEY];
  if (!principal) throw new Error('no principal on this request: is the controller guarded by RestAuthGuard?');
  return principal;
}

export function actorOf(req: Request): AuditActor {
  const principal = (req as unknown as Record<symbol, RestPrincipal | undefined>)[KEY];
  return { userId: principal && !principal.anonymous ? principal.userId : null, address: clientAddress(req) };
}

export const REST_ACCESS = 'wharf:rest-access';
/**
 * admin (the default): nx-all; user: any authenticated user; browse: also the anonymous user when anonymous access is on;
 * metrics: nx-metrics-all (or nx-all).
 */
export type RestAccessLevel = 'admin' | 'user' | 'browse' | 'metrics';

/** Any authenticated (non-anonymous) user; the handler decides what they may see or do. */
export const AnyUser = () => SetMetadata(REST_ACCESS, 'user' satisfies RestAccessLevel);
/** Read-only views filtered by the caller's browse privileges; anonymous callers too, when anonymous access is on. */
export const Browse = () => SetMetadata(REST_ACCESS, 'browse' satisfies RestAccessLevel);
/** The metrics endpoint: administrators, and users (or their API tokens) holding nx-metrics-all. */
export const MetricsReader = () => SetMetadata(REST_ACCESS, 'metrics' satisfies RestAccessLevel);
