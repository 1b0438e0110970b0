/**
 * Input rules the server enforces (DTOs, domain services) and the UI checks before it sends: one definition,
 * so the form and the server never disagree on what a valid name or length is.
 */

/** Repository names: the first path segment of image names on the main port, so Docker's path-component grammar. */
export const REPOSITORY_NAME = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
export const REPOSITORY_NAME_MAX_LENGTH = 200;

/** `docker.subdomain`: one DNS label. */
export const SUBDOMAIN_MAX_LENGTH = 63;

/** Connector ports. */
export const PORT_MIN = 1;
export const PORT_MAX = 65535;

/** Proxy cache ages, in minutes: -1 means never expires. */
export const MAX_AGE_NEVER = -1;

/** Upstream credentials of a proxy. */
export const UPSTREAM_USERNAME_MAX_LENGTH = 512;
export const UPSTREAM_PASSWORD_MAX_LENGTH = 4096;

/** User IDs: 1-100 letters, digits and . _ @ + -, starting with a letter or digit. */
export const USER_ID = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$/;
/** Local users' passwords (hashing cost grows with length). */
export const PASSWORD_MAX_LENGTH = 1024;
/** An email address as far as Wharf cares: something@something, no spaces. */
export const EMAIL_ADDRESS = /^[^\s@]+@[^\s@]+$/;

/** Role IDs: 1-100 letters, digits and . _ -, starting with a letter or digit. */
export const ROLE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Cleanup policy names: 1-200 letters, digits and . _ -, starting with a letter or digit (they appear in repository JSON and URLs). */
export const CLEANUP_POLICY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
