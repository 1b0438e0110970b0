import type { PrivilegeJson } from '@wharf/api-types';

/**
 * The privilege grammar of the local authorization realm (Nexus's names):
 *
 *   nx-all                                          everything (administrators)
 *   nx-metrics-all                                  the Prometheus metrics, nothing else (scrapers)
 *   nx-repository-view-<format>-<repository>-<action>
 *
 * <format> is `docker` or `*`; <repository> is a repository name or a pattern where `*` matches any
 * run of characters (`*` alone: every repository); <action> is browse, read, add, edit, delete or `*`.
 * Repository names may contain `-`: the format ends at the first `-` after the prefix, the action
 * starts after the last one. Pure functions, no I/O.
 */

export const ALL_PRIVILEGE = 'nx-all';
/** Nexus's name for reading the metrics endpoints: what a Prometheus scraper's user needs, and all it needs. */
export const METRICS_PRIVILEGE = 'nx-metrics-all';
export const REPOSITORY_VIEW_PREFIX = 'nx-repository-view-';
export const ACTIONS = ['browse', 'read', 'add', 'edit', 'delete'] as const;
export type PrivilegeAction = (typeof ACTIONS)[number];

export type Privilege =
  | { kind: 'all'; name: string }
  | { kind: 'metrics'; name: string }
  | { kind: 'repository-view'; name: string; format: string; repository: string; actions: '*' | PrivilegeAction };

export class PrivilegeSyntaxError extends Error {}

const REPOSITORY_PATTERN = /^[A-Za-z0-9*][A-Za-z0-9._*-]*$/;

/** Parses a privilege name; throws PrivilegeSyntaxError naming what is wrong. */
export function parsePrivilege(name: string): Privilege {
  if (name === ALL_PRIVILEGE) return { kind: 'all', name };
  if (name === METRICS_PRIVILEGE) return { kind: 'metrics', name };
  if (!name.startsWith(REPOSITORY_VIEW_PREFIX)) {
    throw new PrivilegeSyntaxError(`unknown privilege "${name}": use ${ALL_PRIVILEGE}, ${METRICS_PRIVILEGE} or ${REPOSITORY_VIEW_PREFIX}<format>-<repository>-<action>`);
  }
  const rest = name.slice(REPOSITORY_VIEW_PREFIX.length);
  const first = rest.indexOf('-');
  const last = rest.lastIndexOf('-');
  if (first < 0 || first === last) throw new PrivilegeSyntaxError(`privilege "${name}" must name a format, a repository and an action`);
  const format = rest.slice(0, first);
  const repository = rest.slice(first + 1, last);
  const action = rest.slice(last + 1);
  if (format !== 'docker' && format !== '*') throw new PrivilegeSyntaxError(`privilege "${name}": format must be docker or *, not "${format}"`);
  if (!REPOSITORY_PATTERN.test(repository) || repository.length > 200) {
    throw new PrivilegeSyntaxError(`privilege "${name}": "${repository}" is not a repository name or pattern`);
  }
  if (action !== '*' && !(ACTIONS as readonly string[]).includes(action)) {
    throw new PrivilegeSyntaxError(`privilege "${name}": action must be one of ${ACTIONS.join(', ')} or *, not "${action}"`);
  }
  return { kind: 'repository-view', name, format, repository, actions: action as '*' | PrivilegeAction };
}

export function repositoryViewPrivilege(repository: string, action: PrivilegeAction | '*', format = 'docker'): string {
  return `${REPOSITORY_VIEW_PREFIX}${format}-${repository}-${action}`;
}

type Matcher = { all: true } | { all: false; repository: (repository: string) => boolean; actions: '*' | PrivilegeAction };

/** A set of privileges compiled for fast checks (done once per user, reused for every request). */
export class PrivilegeSet {
  private readonly matchers: Matcher[];
  private readonly memo = new Map<string, boolean>();
  private metrics = false;

  constructor(names: Iterable<string>) {
    this.matchers = [];
    for (const name of names) {
      let privilege: Privilege;
      try {
        privilege = parsePrivilege(name);
      } catch {
        continue; // an unknown privilege grants nothing
      }
      if (privilege.kind === 'all') this.matchers.push({ all: true });
      else if (privilege.kind === 'metrics') this.metrics = true;
      else this.matchers.push({ all: false, repository: compilePattern(privilege.repository), actions: privilege.actions });
    }
  }

  get isAll(): boolean {
    return this.matchers.some((m) => m.all);
  }

  get isEmpty(): boolean {
    return this.matchers.length === 0 && !this.metrics;
  }

  /** May this set read the metrics endpoint (nx-metrics-all, or nx-all)? */
  get allowsMetrics(): boolean {
    return this.metrics || this.isAll;
  }

  /** May this set do `action` in (docker) repository `repository`? */
  allows(repository: string, action: PrivilegeAction): boolean {
    const key = `${action}\u0000${repository}`;
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    const result = this.matchers.some((m) => m.all || ((m.actions === '*' || m.actions === action) && m.repository(repository)));
    if (this.memo.size > 10_000) this.memo.clear();
    this.memo.set(key, result);
    return result;
  }
}

/**
 * A repository pattern as a matcher: `*` matches any run of characters, nothing else is special. Matched
 * without a regular expression, in time linear in pattern and name: a pattern of many `*` compiled to
 * `^a.*a.*…b$` made V8's backtracking take seconds on a 30-character name (issue 16). The parts between
 * stars are found leftmost-first, which is enough when `*` is the only wildcard.
 */
function compilePattern(pattern: string): (repository: string) => boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return (repository) => repository === pattern;
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  const middle = parts.slice(1, -1).filter((part) => part !== '');
  return (repository) => {
    if (repository.length < first.length + last.length || !repository.startsWith(first) || !repository.endsWith(last)) return false;
    const end = repository.length - last.length;
    let at = first.length;
    for (const part of middle) {
      const found = repository.indexOf(part, at);
      if (found < 0 || found + part.length > end) return false;
      at = found + part.length;
    }
    return true;
  };
}

/** nx-all, nx-metrics-all, then the repository-view privileges of every repository (and of `*`), every action. */
/** What `GET /service/rest/v1/security/privileges` lists (Nexus's ApiPrivilege shapes). */
export function listPrivileges(repositories: string[]): PrivilegeJson[] {
  const out: PrivilegeJson[] = [
    { type: 'wildcard', name: ALL_PRIVILEGE, description: 'All permissions', readOnly: true, pattern: 'nexus:*' },
    { type: 'application', name: METRICS_PRIVILEGE, description: 'Read the Prometheus metrics (GET /service/metrics/prometheus)', readOnly: true, domain: 'metrics', actions: ['ALL'] },
  ];
  const views: { format: string; repository: string; label: string }[] = [
    { format: '*', repository: '*', label: 'all repositories' },
    { format: 'docker', repository: '*', label: 'all docker repositories' },
    ...[...repositories].sort().map((r) => ({ format: 'docker', repository: r, label: `docker repository ${r}` })),
  ];
  for (const view of views) {
    for (const action of [...ACTIONS, '*'] as const) {
      out.push({
        type: 'repository-view',
        name: repositoryViewPrivilege(view.repository, action, view.format),
        description: `${action === '*' ? 'All permissions' : `${action[0]!.toUpperCase()}${action.slice(1)} permission`} for ${view.label}`,
        readOnly: true,
        format: view.format,
        repository: view.repository,
        actions: action === '*' ? ['ALL'] : [action.toUpperCase()],
      });
    }
  }
  return out;
}
