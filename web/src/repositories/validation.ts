import {
  MAX_AGE_NEVER,
  PORT_MAX,
  PORT_MIN,
  REPOSITORY_NAME,
  REPOSITORY_NAME_MAX_LENGTH,
  type RepositorySummary,
  SUBDOMAIN_MAX_LENGTH,
  UPSTREAM_PASSWORD_MAX_LENGTH,
  UPSTREAM_USERNAME_MAX_LENGTH,
} from '@wharf/api-types';
import type { ApiError } from '../api/errors';
import type { FieldErrors, MappedErrors } from '../components/form-kit';
import { type CommonForm, type DockerForm, type GroupForm, type HostedForm, type ProxyForm, connectorPorts } from './model';

export interface ValidationContext {
  mode: 'create' | 'edit';
  /** Every repository, to check names and connector ports. */
  repositories: RepositorySummary[];
  /** Wharf's main port, when known. */
  mainPort: number | null;
}

const INTEGER = /^-?\d+$/;

function validateName(form: CommonForm, ctx: ValidationContext, errors: FieldErrors): void {
  const name = form.name.trim();
  if (ctx.mode === 'edit') return;
  if (name === '') errors.name = 'Enter a name.';
  else if (name.length > REPOSITORY_NAME_MAX_LENGTH) errors.name = `At most ${REPOSITORY_NAME_MAX_LENGTH} characters.`;
  else if (!REPOSITORY_NAME.test(name)) {
    errors.name = 'Use lower-case letters and digits, optionally separated by ".", "_", "__" or "-" (no leading or trailing separator).';
  } else if (ctx.repositories.some((r) => r.name === name)) errors.name = `A repository named ${name} already exists.`;
}

/** The port rules, with the reason a port cannot be used. */
export function portProblem(text: string, name: string, ctx: ValidationContext): string | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  if (!/^\d+$/.test(trimmed)) return `Enter a port number (${PORT_MIN}–${PORT_MAX}), or leave empty for no connector.`;
  const port = Number(trimmed);
  if (port < PORT_MIN || port > PORT_MAX) return `A port is a number from ${PORT_MIN} to ${PORT_MAX}.`;
  if (ctx.mainPort !== null && port === ctx.mainPort) {
    return `${port} is Wharf's main port (UI, REST API and path-routed registry). Choose another port for the connector.`;
  }
  const owner = ctx.repositories.find((r) => r.name !== name.trim() && connectorPorts(r).includes(port));
  if (owner) return `Port ${port} is already the connector of repository ${owner.name}. Each connector port serves exactly one repository.`;
  return null;
}

function validateDocker(docker: DockerForm, name: string, ctx: ValidationContext, errors: FieldErrors): void {
  const port = portProblem(docker.httpPort, name, ctx);
  if (port) errors['docker.httpPort'] = port;
  const httpsPort = portProblem(docker.httpsPort, name, ctx);
  if (httpsPort) errors['docker.httpsPort'] = httpsPort;
  else if (docker.httpsPort.trim() !== '' && docker.httpsPort.trim() === docker.httpPort.trim()) {
    errors['docker.httpsPort'] = 'A port serves HTTP or HTTPS: choose another port than the HTTP connector port.';
  }
  if (docker.subdomain.trim().length > SUBDOMAIN_MAX_LENGTH) errors['docker.subdomain'] = `At most ${SUBDOMAIN_MAX_LENGTH} characters.`;
  else if (docker.subdomain.trim() !== '' && !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i.test(docker.subdomain.trim())) {
    errors['docker.subdomain'] = 'Letters, digits and "-" only (a DNS label).';
  }
}

export function validateHosted(form: HostedForm, ctx: ValidationContext): FieldErrors {
  const errors: FieldErrors = {};
  validateName(form, ctx, errors);
  validateDocker(form.docker, form.name, ctx, errors);
  return errors;
}

function httpUrlProblem(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed === '') return 'Enter a URL, e.g. https://registry-1.docker.io.';
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return 'Enter a full URL starting with http:// or https://.';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'Only http:// and https:// URLs are supported.';
  if (!url.hostname) return 'The URL needs a host name.';
  return null;
}

function maxAgeProblem(text: string): string | null {
  if (!INTEGER.test(text.trim())) return 'Enter whole minutes, or -1 for "never expires".';
  if (Number(text) < MAX_AGE_NEVER) return `Use ${MAX_AGE_NEVER} for "never expires"; other values must be 0 or more.`;
  return null;
}

export function validateProxy(form: ProxyForm, ctx: ValidationContext): FieldErrors {
  const errors: FieldErrors = {};
  validateName(form, ctx, errors);
  validateDocker(form.docker, form.name, ctx, errors);
  const remote = httpUrlProblem(form.remoteUrl);
  if (remote) errors['proxy.remoteUrl'] = remote;
  const content = maxAgeProblem(form.contentMaxAge);
  if (content) errors['proxy.contentMaxAge'] = content;
  const metadata = maxAgeProblem(form.metadataMaxAge);
  if (metadata) errors['proxy.metadataMaxAge'] = metadata;
  form.tagMaxAge.forEach((tier, i) => {
    if (tier.pattern.trim() === '') errors[`proxy.tagMaxAge.${i}.pattern`] = 'Enter a regular expression (it must match the whole tag).';
    else {
      try {
        new RegExp(tier.pattern);
      } catch (err) {
        errors[`proxy.tagMaxAge.${i}.pattern`] = `Not a valid regular expression: ${(err as Error).message}`;
      }
    }
    const age = maxAgeProblem(tier.maxAge);
    if (age) errors[`proxy.tagMaxAge.${i}.maxAge`] = age;
  });
  if (!INTEGER.test(form.negativeCacheTtl.trim()) || Number(form.negativeCacheTtl) < 0) {
    errors['negativeCache.timeToLive'] = 'Enter whole minutes (0 or more).';
  }
  if (form.authEnabled) {
    const username = form.username.trim();
    if (username === '') errors['httpClient.authentication.username'] = 'Enter the upstream user name, or turn authentication off.';
    else if (username.length > UPSTREAM_USERNAME_MAX_LENGTH) errors['httpClient.authentication.username'] = `At most ${UPSTREAM_USERNAME_MAX_LENGTH} characters.`;
    const keeps = ctx.mode === 'edit' && form.storedUsername !== null && form.storedUsername === username;
    if (form.password === '' && !keeps) {
      errors['httpClient.authentication.password'] =
        ctx.mode === 'edit' && form.storedUsername !== null
          ? 'The user name changed: enter the password for the new user name.'
          : 'Enter the upstream password or access token.';
    } else if (form.password.length > UPSTREAM_PASSWORD_MAX_LENGTH) errors['httpClient.authentication.password'] = `At most ${UPSTREAM_PASSWORD_MAX_LENGTH} characters.`;
  }
  if (form.indexType === 'CUSTOM') {
    const index = httpUrlProblem(form.indexUrl);
    if (index) errors['dockerProxy.indexUrl'] = index.replace('e.g. https://registry-1.docker.io', 'e.g. https://index.example.org');
  }
  return errors;
}

export function validateGroup(form: GroupForm, ctx: ValidationContext): FieldErrors {
  const errors: FieldErrors = {};
  validateName(form, ctx, errors);
  validateDocker(form.docker, form.name, ctx, errors);
  const name = form.name.trim();
  if (form.memberNames.length === 0) errors['group.memberNames'] = 'Add at least one member repository.';
  else if (form.memberNames.includes(name)) errors['group.memberNames'] = 'A group cannot be a member of itself.';
  else if (new Set(form.memberNames).size !== form.memberNames.length) errors['group.memberNames'] = 'A repository is listed twice.';
  else {
    const missing = form.memberNames.filter((m) => !ctx.repositories.some((r) => r.name === m));
    if (missing.length > 0) errors['group.memberNames'] = `No longer exists: ${missing.join(', ')}. Remove it from the list.`;
  }
  if (form.writableMember !== '') {
    const member = ctx.repositories.find((r) => r.name === form.writableMember);
    if (!form.memberNames.includes(form.writableMember)) errors['group.writableMember'] = 'The writable member must be one of the members.';
    else if (member && member.type !== 'hosted') errors['group.writableMember'] = `${form.writableMember} is a ${member.type} repository; only a hosted member can take pushes.`;
  }
  return errors;
}

// --- server errors -> fields --------------------------------------------------------------------

/** Adds the "why" to port conflicts the server reports. */
export function explainPortMessage(message: string): string {
  if (/already (the connector|used by) (of )?repository/i.test(message)) {
    return `${message}. Each connector port serves exactly one repository: pick another port, or free it on that repository first.`;
  }
  if (/already in use/i.test(message)) {
    return `${message}. Another program on the Wharf server is listening on that port: pick a free port or stop that program.`;
  }
  if (/needs privileges/i.test(message)) return `${message}. Ports below 1024 need extra privileges: pick a port above 1024.`;
  if (/main port/i.test(message)) return message;
  return message;
}

function tidy(path: string, message: string): string {
  let text = message.trim();
  const capitalize = (t: string) => t.charAt(0).toUpperCase() + t.slice(1);
  if (text.startsWith(`${path} `) && /^(must|should|is not|has to)\b/.test(text.slice(path.length + 1))) text = capitalize(text.slice(path.length + 1));
  else if (text.startsWith(`${path}: `)) text = capitalize(text.slice(path.length + 2));
  else if (!/^\S+\.\S+ /.test(text)) text = capitalize(text);
  return path === 'docker.httpPort' ? explainPortMessage(text.replace(/\.$/, '')) : text;
}

/** Which field a message without a field id (`*`, or a plain message) is about. */
function fieldOfMessage(message: string, known: readonly string[]): string | null {
  const byLength = [...known].sort((a, b) => b.length - a.length);
  for (const path of byLength) {
    if (message.startsWith(`${path} `) || message.startsWith(`${path}:`) || message.startsWith(`${path}.`)) return path;
  }
  if (/^port \d+/i.test(message) || /connector/i.test(message) || /httpPort/.test(message)) return 'docker.httpPort';
  if (/^repository \S+ already exists/i.test(message)) return 'name';
  return null;
}

/** Maps a 400 of the REST API (`[{id, message}]` or `{message}`) onto the form's fields. */
export function mapServerErrors(error: ApiError, known: readonly string[]): MappedErrors {
  const fields: FieldErrors = {};
  const general: string[] = [];
  const add = (path: string, message: string) => {
    const text = tidy(path, message);
    fields[path] = fields[path] ? `${fields[path]} ${text}` : text;
  };
  const entries = error.fields.length > 0 ? error.fields : [{ id: '*', message: error.message }];
  for (const { id, message } of entries) {
    if (id !== '*' && id !== '' && (known.includes(id) || /^proxy\.tagMaxAge\.\d+\.(pattern|maxAge)$/.test(id))) {
      add(id, message);
      continue;
    }
    const path = fieldOfMessage(message, known);
    if (path) add(path, message);
    else general.push(message.charAt(0).toUpperCase() + message.slice(1));
  }
  return { fields, general };
}

export const COMMON_FIELDS = ['name', 'online', 'storage.blobStoreName', 'storage.strictContentTypeValidation', 'cleanup.policyNames'];
export const DOCKER_FIELDS = ['docker.v1Enabled', 'docker.forceBasicAuth', 'docker.httpPort', 'docker.httpsPort', 'docker.subdomain', 'docker.pathEnabled'];
export const HOSTED_FIELDS = [...COMMON_FIELDS, 'storage.writePolicy', 'storage.latestPolicy', ...DOCKER_FIELDS];
export const PROXY_FIELDS = [
  ...COMMON_FIELDS,
  'proxy.remoteUrl',
  'proxy.contentMaxAge',
  'proxy.metadataMaxAge',
  'proxy.tagMaxAge',
  'negativeCache.enabled',
  'negativeCache.timeToLive',
  'httpClient.blocked',
  'httpClient.autoBlock',
  'httpClient.authentication.type',
  'httpClient.authentication.username',
  'httpClient.authentication.password',
  'httpClient.authentication',
  'dockerProxy.indexType',
  'dockerProxy.indexUrl',
  ...DOCKER_FIELDS,
];
export const GROUP_FIELDS = [...COMMON_FIELDS, 'group.memberNames', 'group.writableMember', ...DOCKER_FIELDS];
