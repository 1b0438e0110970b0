import type { IncomingMessage, ServerResponse } from 'node:http';
import { Authenticator as Passport } from 'passport';
import { Strategy as BearerStrategy } from 'passport-http-bearer';


/**
 * Bearer authentication of registry requests with passport-http-bearer, on its own passport instance
 * (the REST API's strategies live on the global one). The registry listener is a plain Node handler,
 * so passport's middleware is driven directly and its verdict returned as a promise.
 */
export class RegistryBearer<T extends object> {
  private readonly passport = new Passport();

  constructor(verify: (token: string, req: IncomingMessage) => Promise<T | null>) {
    this.passport.use(
      'registry-bearer',
      new BearerStrategy({ passReqToCallback: true }, (req: unknown, token: string, done: (err: unknown, user?: T | false) => void) => {
        verify(token, req as IncomingMessage).then(
          (identity) => done(null, identity ?? false),
          (err: unknown) => done(err),
        );
      }),
    );
  }

  /** The identity of a valid bearer token in the request, null for none or an invalid one. */
  authenticate(req: IncomingMessage): Promise<T | null> {
    return new Promise((resolve, reject) => {
      const middleware = this.passport.authenticate('registry-bearer', { session: false }, (err: unknown, user: T | false) => {
        if (err) reject(err);
        else resolve(user || null);
      }) as (req: IncomingMessage, res: ServerResponse | object, next: (err?: unknown) => void) => void;
      middleware(req, {}, (err) => (err ? reject(err) : resolve(null)));
    });
  }
}
