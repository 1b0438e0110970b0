/**
 * Docker token-auth wire formats: resource scopes, WWW-Authenticate challenges and the
 * Authorization header. Parsing only; deciding who may do what lives in the server.
 */

export interface Scope {
  type: string;
  name: string;
  actions: string[];
}

/**
 * "repository:team/app:pull,push". The type ends at the FIRST colon and the actions start
 * after the LAST one, so a name holding a host:port ("repository:localhost:5000/app:pull")
 * keeps its colon. An empty action list ("repository:app:") is allowed by the token spec.
 */
export function parseScope(s: string): Scope {
  const text = s.trim();
  const first = text.indexOf(':');
  const last = text.lastIndexOf(':');
  if (first < 0 || first === last) throw new Error(`malformed scope "${s}": expected <type>:<name>:<actions>`);
  const type = text.slice(0, first);
  const name = text.slice(first + 1, last);
  if (type === '' || /\s/.test(type)) throw new Error(`malformed scope "${s}": bad resource type`);
  if (name === '' || /\s/.test(name)) throw new Error(`malformed scope "${s}": bad resource name`);
  const actionList = text.slice(last + 1);
  if (/\s/.test(actionList)) throw new Error(`malformed scope "${s}": bad actions`);
  const actions = [...new Set(actionList.split(',').filter((a) => a !== ''))];
  return { type, name, actions };
}

/** Scopes from one or several `scope` query parameters, each possibly space-separated. */
export function parseScopes(values: string | string[] | undefined): Scope[] {
  if (values === undefined) return [];
  const list = Array.isArray(values) ? values : [values];
  return list.flatMap((v) => v.split(/\s+/).filter((p) => p !== '').map(parseScope));
}

export function formatScope(s: Scope): string {
  return `${s.type}:${s.name}:${s.actions.join(',')}`;
}

/** Joins scopes for the same type+name (clients may request pull and push separately). */
export function mergeScopes(scopes: Scope[]): Scope[] {
  const byKey = new Map<string, Scope>();
  for (const s of scopes) {
    const key = `${s.type}\u0000${s.name}`;
    const existing = byKey.get(key);
    if (existing) existing.actions = [...new Set([...existing.actions, ...s.actions])];
    else byKey.set(key, { type: s.type, name: s.name, actions: [...s.actions] });
  }
  return [...byKey.values()];
}

/** RFC 9110 quoted-string: escape \ and ", drop control characters (no header injection). */
function quote(v: string): string {
  // eslint-disable-next-line no-control-regex
  return `"${v.replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, '').replace(/["\\]/g, '\\$&')}"`;
}

export function formatBearerChallenge(p: { realm: string; service: string; scope?: string; error?: string }): string {
  const params = [`realm=${quote(p.realm)}`, `service=${quote(p.service)}`];
  if (p.scope !== undefined) params.push(`scope=${quote(p.scope)}`);
  if (p.error !== undefined) params.push(`error=${quote(p.error)}`);
  return `Bearer ${params.join(',')}`;
}

export function formatBasicChallenge(realm: string): string {
  return `Basic realm=${quote(realm)}`;
}

export type Credentials = { scheme: 'basic'; username: string; password: string } | { scheme: 'bearer'; token: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

// Buffer.from(…, 'base64') silently skips junk; require canonical base64 (padding optional).
function decodeBase64(s: string): string | null {
  const unpadded = s.replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(unpadded) || unpadded.length % 4 === 1 || s.length - unpadded.length > 2) return null;
  if (s.length !== unpadded.length && s.length % 4 !== 0) return null;
  const buf = Buffer.from(unpadded, 'base64');
  if (buf.toString('base64').replace(/=+$/, '') !== unpadded) return null;
  try {
    return utf8.decode(buf);
  } catch {
    return null;
  }
}

/** Basic or Bearer credentials, or null when absent, of another scheme, or malformed. */
export function parseAuthorization(header: string | undefined): Credentials | null {
  if (header === undefined) return null;
  const m = /^\s*([A-Za-z]+)\s+(\S+)\s*$/.exec(header);
  if (!m) return null;
  const [, scheme = '', value = ''] = m;
  switch (scheme.toLowerCase()) {
    case 'basic': {
      const decoded = decodeBase64(value);
      if (decoded === null) return null;
      const colon = decoded.indexOf(':');
      if (colon < 0) return null;
      return { scheme: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
    case 'bearer':
      return TOKEN68.test(value) ? { scheme: 'bearer', token: value } : null;
    default:
      return null;
  }
}
