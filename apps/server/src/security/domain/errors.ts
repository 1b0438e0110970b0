/** Errors of the security services, mapped to REST statuses in one place (rest-exception.filter.ts). */

/** 400 naming the offending field (`id` as in Nexus's ValidationErrorXO). */
export class SecurityInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** 404: no such user, role or token (or one the caller may not see). */
export class SecurityNotFoundError extends Error {}

/** 429: too many failed logins; `retryAfter` in seconds. */
export class ThrottledError extends Error {
  constructor(readonly retryAfter: number) {
    super('too many failed login attempts; try again later');
  }
}
