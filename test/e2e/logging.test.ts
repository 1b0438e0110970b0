import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cleanup } from '../support/cleanup';
import { freePort } from '../support/ports';
import { ADMIN_USER, RestClient, Wharf } from '../support/wharf';

const ESC = String.fromCharCode(27);
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** Lines Wharf printed (stdout and stderr) in this start, without the harness's separator lines. */
function printed(wharf: Wharf): string[] {
  return readFileSync(wharf.logFile, 'utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('===== '));
}

function logFileLines(wharf: Wharf): string[] {
  return readFileSync(join(wharf.dataDir, 'logs', 'wharf.log'), 'utf8')
    .split('\n')
    .filter((line) => line !== '');
}

/**
 * Drives what puts secrets on the wire: a generated admin password, a user's password, an upstream
 * password, an API token, a wrong password, credentials to the token endpoint, a password in a query.
 */
async function exercise(wharf: Wharf, admin: RestClient, secrets: string[]): Promise<void> {
  const userPassword = `user-secret-${Math.random().toString(36).slice(2)}`;
  const upstreamPassword = `upstream-secret-${Math.random().toString(36).slice(2)}`;
  const wrongPassword = `wrong-secret-${Math.random().toString(36).slice(2)}`;
  secrets.push(userPassword, upstreamPassword, wrongPassword);
  const hostedPort = await freePort();
  expect((await admin.post('/service/rest/v1/repositories/docker/hosted', {
    name: 'logs-hosted', online: true,
    storage: { blobStoreName: 'default', strictContentTypeValidation: true, writePolicy: 'ALLOW' },
    docker: { v1Enabled: false, forceBasicAuth: true, httpPort: hostedPort },
  })).status).toBe(201);
  expect((await admin.post('/service/rest/v1/repositories/docker/proxy', {
    name: 'logs-proxy', online: true,
    storage: { blobStoreName: 'default', strictContentTypeValidation: true },
    proxy: { remoteUrl: 'http://127.0.0.1:9', contentMaxAge: 1440, metadataMaxAge: 1440 },
    negativeCache: { enabled: true, timeToLive: 1440 },
    httpClient: { blocked: false, autoBlock: true, authentication: { type: 'username', username: 'hub-user', password: upstreamPassword } },
    docker: { v1Enabled: false, forceBasicAuth: false, httpPort: null },
  })).status).toBe(201);
  expect((await admin.post('/service/rest/v1/security/users', {
    userId: 'logs-user', firstName: 'L', lastName: 'U', emailAddress: 'l@example.org', password: userPassword, status: 'active', roles: ['nx-admin'],
  })).status).toBe(200);
  const user = new RestClient(wharf.baseUrl, 'logs-user', userPassword);
  const token = (await user.post('/service/rest/v1/security/api-tokens', { name: 'ci' })).json<{ token: string }>().token;
  secrets.push(token);
  expect((await new RestClient(wharf.baseUrl, 'logs-user', wrongPassword).get('/service/rest/v1/repositories')).status).toBe(401);
  const basic = `Basic ${Buffer.from(`logs-user:${userPassword}`).toString('base64')}`;
  expect((await fetch(`http://127.0.0.1:${hostedPort}/v2/token?service=wharf-registry&scope=repository:app:pull`, { headers: { Authorization: basic } })).status).toBe(200);
  expect((await fetch(`http://127.0.0.1:${hostedPort}/v2/app/manifests/1`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(404);
  expect((await fetch(`${wharf.baseUrl}/v2/token?account=logs-user&password=${encodeURIComponent(userPassword)}`)).status).toBe(200);
  // A pull through the proxy whose upstream is down: the failure is logged, never the upstream password.
  expect((await fetch(`${wharf.baseUrl}/v2/logs-proxy/library/x/manifests/1`, { headers: { Authorization: basic } })).status).toBeGreaterThanOrEqual(400);
}

describe('logs', () => {
  const cleanup = new Cleanup();

  afterAll(async () => {
    await cleanup.run();
  });

  describe('WHARF_LOG_FORMAT=json', () => {
    let wharf: Wharf;
    let adminPassword: string;
    const secrets: string[] = [];

    beforeAll(async () => {
      // No WHARF_ADMIN_PASSWORD: Wharf generates one.
      wharf = cleanup.stopping('wharf', await Wharf.start({ dir: cleanup.tempDir('logs-json'), env: { WHARF_LOG_FORMAT: 'json', WHARF_ADMIN_PASSWORD: '' } }));
      adminPassword = readFileSync(join(wharf.dataDir, 'admin.password'), 'utf8').trim();
      secrets.push(adminPassword);
      await exercise(wharf, new RestClient(wharf.baseUrl, ADMIN_USER, adminPassword), secrets);
      await wharf.stop();
    });

    it('prints one JSON object per line, with an ISO time, a level and a message, and the log file holds the same', () => {
      for (const lines of [printed(wharf), logFileLines(wharf)]) {
        expect(lines.length).toBeGreaterThan(10);
        for (const line of lines) {
          let event: Record<string, unknown>;
          expect(() => (event = JSON.parse(line) as Record<string, unknown>), line).not.toThrow();
          expect(event!.time, line).toMatch(ISO_UTC);
          expect(['debug', 'info', 'warn', 'error', 'fatal'], line).toContain(event!.level);
          expect(typeof event!.msg, line).toBe('string');
        }
      }
    });

    it('has no secret in any line, and the generated admin password appears nowhere', () => {
      expect(secrets.length).toBe(5);
      for (const line of [...printed(wharf), ...logFileLines(wharf)]) {
        for (const secret of secrets) expect(line.includes(secret), `a secret in: ${line}`).toBe(false);
      }
      const created = printed(wharf).map((l) => JSON.parse(l) as { msg: string }).find((e) => e.msg.startsWith('created user admin'));
      expect(created?.msg).toContain('admin.password');
    });

    it('writes an access log line per request with method, path, status, bytes, duration, repository and user', () => {
      const access = printed(wharf)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((e) => e.context === 'HTTP');
      const token = access.find((e) => e.path === '/v2/token' && e.status === 200 && e.user === 'logs-user');
      expect(token).toMatchObject({ method: 'GET', repository: 'logs-hosted' });
      const manifest = access.find((e) => e.path === '/v2/app/manifests/1');
      expect(manifest).toMatchObject({ method: 'GET', status: 404, repository: 'logs-hosted', user: 'logs-user' });
      expect(typeof manifest!.durationMs).toBe('number');
      expect(manifest!.bytesOut).toBeGreaterThan(0);
      const created = access.find((e) => e.method === 'POST' && e.path === '/service/rest/v1/repositories/docker/hosted');
      expect(created).toMatchObject({ status: 201, user: 'admin' });
      // The password sent in a query is masked, the rest of the query kept.
      expect(access.find((e) => typeof e.query === 'string' && (e.query as string).startsWith('account=logs-user'))?.query).toBe('account=logs-user&password=***');
    });

    it('keeps Nest route mapping at debug level (not shown at info)', () => {
      expect(printed(wharf).some((l) => l.includes('Mapped {'))).toBe(false);
    });
  });

  describe('default text format, not on a terminal', () => {
    let wharf: Wharf;
    let adminPassword: string;

    beforeAll(async () => {
      wharf = cleanup.stopping('wharf', await Wharf.start({ dir: cleanup.tempDir('logs-text'), env: { WHARF_ADMIN_PASSWORD: '' } }));
      adminPassword = readFileSync(join(wharf.dataDir, 'admin.password'), 'utf8').trim();
      expect((await new RestClient(wharf.baseUrl, ADMIN_USER, adminPassword).get('/service/rest/v1/repositories')).status).toBe(200);
      await wharf.stop();
    });

    it('shows the generated password once on stdout, never in data/logs/wharf.log', () => {
      expect(printed(wharf).filter((l) => l.includes(adminPassword))).toHaveLength(1);
      expect(logFileLines(wharf).some((l) => l.includes(adminPassword))).toBe(false);
    });

    it('writes readable lines with ISO timestamps and no ANSI colours', () => {
      const lines = printed(wharf).filter((l) => !l.includes(adminPassword) && l.trim() !== '');
      for (const line of lines) {
        expect(line.includes(ESC), line).toBe(false);
        expect(line.split(' ')[0], line).toMatch(ISO_UTC);
      }
      expect(lines.some((l) => / INFO \[HTTP\] GET \/service\/rest\/v1\/repositories 200 \d+B [\d.]+ms .*user=admin/.test(l))).toBe(true);
    });
  });
});
