/**
 * WWW-Authenticate parsing (RFC 9110 §11.6.1): a list of challenges, each a scheme followed
 * by comma-separated auth-params (name=token or name="quoted string") or one token68.
 * Several header lines, or one line joined with commas, may hold several challenges:
 *   Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"
 *   Basic realm="Registry", Bearer realm="https://r.example/token"
 */

export interface Challenge {
  /** Lower-cased scheme: 'bearer', 'basic', ... */
  scheme: string;
  /** Parameter names lower-cased; values unquoted. */
  params: Record<string, string>;
  token68?: string;
}

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
// Unquoted values should be tokens; URLs sent unquoted (":" and "/") are accepted too.
const PARAM = new RegExp(`(${TOKEN})[ \\t]*=[ \\t]*(?:"((?:[^"\\\\]|\\\\.)*)"|([^\\s,"=][^\\s,"]*))`, 'y');
const SCHEME = new RegExp(TOKEN, 'y');
const TOKEN68 = /([A-Za-z0-9\-._~+/]+=*)[ \t]*(?=,|$)/y;
const SEPARATORS = /[ \t,]*/y;
const JUNK = /[^,]*/y;

export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  if (header === undefined) return [];
  const lines = Array.isArray(header) ? header : [header];
  return lines.flatMap(parseLine);
}

function match(re: RegExp, s: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(s);
}

function parseLine(s: string): Challenge[] {
  const out: Challenge[] = [];
  let current: Challenge | null = null;
  let i = 0;
  while (i < s.length) {
    i += match(SEPARATORS, s, i)![0].length;
    if (i >= s.length) break;

    const param = current !== null ? match(PARAM, s, i) : null;
    if (param !== null && current !== null) {
      const value = param[2] !== undefined ? param[2].replace(/\\(.)/g, '$1') : (param[3] ?? '');
      current.params[param[1]!.toLowerCase()] = value;
      i += param[0].length;
      continue;
    }

    const scheme = match(SCHEME, s, i);
    if (scheme === null) {
      i += Math.max(1, match(JUNK, s, i)![0].length); // not a token: skip this element
      current = null;
      continue;
    }
    current = { scheme: scheme[0].toLowerCase(), params: {} };
    out.push(current);
    i += scheme[0].length;
    const ws = /[ \t]+/y;
    ws.lastIndex = i;
    if (ws.exec(s) === null) continue; // scheme alone ("Basic,")
    const afterWs = ws.lastIndex;
    const t68 = match(TOKEN68, s, afterWs);
    if (t68 !== null && match(PARAM, s, afterWs) === null) {
      current.token68 = t68[1]!;
      i = afterWs + t68[0].length;
    } else {
      i = afterWs;
    }
  }
  return out;
}

/** The challenge this client answers: Bearer preferred over Basic; null when neither is offered. */
export function pickChallenge(challenges: Challenge[]): Challenge | null {
  return challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic') ?? null;
}
