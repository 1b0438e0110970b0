import { describe, expect, it } from 'vitest';
import { imageManifest } from '@wharf/test-kit';
import { Registry } from '../support/registry';
import { canBind, freePort, isListening, occupyPort, release } from '../support/ports';
import { createHosted, createHostedRaw, deleteRepository, getHosted, hostedBody, updateHosted } from '../support/rest';
import { startTestWharf, useTestWharf } from '../support/wharf';

const wharf = useTestWharf();

async function apiAnswers(port: number): Promise<boolean> {
  try {
    const res = await wharf.on(port).get('/v2/');
    return res.status === 200 && res.header('docker-distribution-api-version') === 'registry/2.0';
  } catch {
    return false;
  }
}

function httpPortOf(body: unknown): number | null {
  return (body as { docker: { httpPort: number | null } }).docker.httpPort;
}

describe('connector lifecycle', () => {
  it('creating a repository with httpPort opens the port at once, with the API at the root', async () => {
    const port = await freePort();
    await createHosted(wharf.http, 'conn-a', { httpPort: port });
    expect(await apiAnswers(port)).toBe(true);
    const registry = new Registry(wharf.on(port));
    const m = imageManifest();
    await registry.pushImage('app', 'v1', m);
    // Same content through the main port: the connector serves repository conn-a.
    expect((await new Registry(wharf.http).getManifest('conn-a/app', 'v1')).body.equals(m.bytes)).toBe(true);
    expect(httpPortOf((await getHosted(wharf.http, 'conn-a')).json())).toBe(port);
  });

  it('updating to another port moves the connector: the new port serves, the old one is closed', async () => {
    const before = httpPortOf((await getHosted(wharf.http, 'conn-a')).json())!;
    const after = await freePort();
    const res = await updateHosted(wharf.http, 'conn-a', { httpPort: after });
    expect(res.status, res.text()).toBe(204);
    expect(await apiAnswers(after)).toBe(true);
    expect((await new Registry(wharf.on(after)).getManifest('app', 'v1')).status).toBe(200);
    expect(await isListening(before)).toBe(false);
    expect(await canBind(before)).toBe(true);
    expect(httpPortOf((await getHosted(wharf.http, 'conn-a')).json())).toBe(after);
  });

  it('an update that keeps the port keeps the connector serving', async () => {
    const port = httpPortOf((await getHosted(wharf.http, 'conn-a')).json())!;
    expect((await updateHosted(wharf.http, 'conn-a', { httpPort: port, writePolicy: 'ALLOW_ONCE' })).status).toBe(204);
    expect(await apiAnswers(port)).toBe(true);
    expect((await new Registry(wharf.on(port)).getManifest('app', 'v1')).status).toBe(200);
  });

  it('updating to httpPort null closes the connector; the main port still serves the repository', async () => {
    const port = httpPortOf((await getHosted(wharf.http, 'conn-a')).json())!;
    expect((await updateHosted(wharf.http, 'conn-a', { httpPort: null })).status).toBe(204);
    expect(await isListening(port)).toBe(false);
    expect((await new Registry(wharf.http).getManifest('conn-a/app', 'v1')).status).toBe(200);
    expect(httpPortOf((await getHosted(wharf.http, 'conn-a')).json())).toBeNull();
  });

  it('adding a port to a repository that had none opens it', async () => {
    const port = await freePort();
    expect((await updateHosted(wharf.http, 'conn-a', { httpPort: port })).status).toBe(204);
    expect(await apiAnswers(port)).toBe(true);
  });

  it('deleting the repository closes its port, and the port can be reused at once', async () => {
    const port = httpPortOf((await getHosted(wharf.http, 'conn-a')).json())!;
    expect((await deleteRepository(wharf.http, 'conn-a')).status).toBe(204);
    expect(await isListening(port)).toBe(false);
    expect(await canBind(port)).toBe(true);
    await createHosted(wharf.http, 'conn-b', { httpPort: port });
    expect(await apiAnswers(port)).toBe(true);
    // conn-b is a new, empty repository.
    const res = await new Registry(wharf.on(port)).getManifest('app', 'v1');
    expect(res.status).toBe(404);
  });
});

describe('ports that cannot be used are a 400 and nothing is created', () => {
  it('a port already in use by another process', async () => {
    const squatter = await occupyPort(0);
    const port = (squatter.address() as { port: number }).port;
    try {
      const res = await createHostedRaw(wharf.http, hostedBody('conn-busy', { httpPort: port }));
      expect(res.status, res.text()).toBe(400);
      expect(res.text()).toContain(String(port));
      expect(res.text()).toMatch(/in use/i);
      expect((await getHosted(wharf.http, 'conn-busy')).status).toBe(404);
      expect((await wharf.http.get('/service/rest/v1/repositories')).json<{ name: string }[]>().map((r) => r.name)).not.toContain('conn-busy');
      expect((await wharf.http.get('/v2/conn-busy/app/tags/list')).status).toBe(404);
    } finally {
      await release(squatter);
    }
    // Nothing half-created: the same name and port work once the port is free.
    await createHosted(wharf.http, 'conn-busy', { httpPort: port });
    expect(await apiAnswers(port)).toBe(true);
  });

  it("Wharf's own main port", async () => {
    const res = await createHostedRaw(wharf.http, hostedBody('conn-main', { httpPort: wharf.port }));
    expect(res.status, res.text()).toBe(400);
    expect((await getHosted(wharf.http, 'conn-main')).status).toBe(404);
    expect((await wharf.anonymous.get('/service/rest/v1/status')).status).toBe(200);
  });

  it("another repository's port", async () => {
    const port = await freePort();
    await createHosted(wharf.http, 'conn-owner', { httpPort: port });
    const res = await createHostedRaw(wharf.http, hostedBody('conn-thief', { httpPort: port }));
    expect(res.status, res.text()).toBe(400);
    expect(res.text()).toContain('conn-owner');
    expect((await getHosted(wharf.http, 'conn-thief')).status).toBe(404);
    expect(await apiAnswers(port)).toBe(true);
    // The owner still answers on it.
    await new Registry(wharf.on(port)).pushImage('mine', 'v1', imageManifest());
    expect((await new Registry(wharf.http).getManifest('conn-owner/mine', 'v1')).status).toBe(200);
  });

  it('an update to a busy port is 400 and leaves the old connector and configuration in place', async () => {
    const port = await freePort();
    await createHosted(wharf.http, 'conn-stay', { httpPort: port });
    const squatter = await occupyPort(0);
    const busy = (squatter.address() as { port: number }).port;
    try {
      const res = await updateHosted(wharf.http, 'conn-stay', { httpPort: busy, writePolicy: 'DENY' });
      expect(res.status, res.text()).toBe(400);
      expect(res.text()).toContain(String(busy));
    } finally {
      await release(squatter);
    }
    const get = (await getHosted(wharf.http, 'conn-stay')).json<{ docker: { httpPort: number }; storage: { writePolicy: string } }>();
    expect(get.docker.httpPort).toBe(port);
    expect(get.storage.writePolicy).toBe('ALLOW');
    expect(await apiAnswers(port)).toBe(true);
  });

  it("an update to the main port or another repository's port is 400", async () => {
    const port = await freePort();
    await createHosted(wharf.http, 'conn-move', { httpPort: port });
    const owner = httpPortOf((await getHosted(wharf.http, 'conn-owner')).json())!;
    expect((await updateHosted(wharf.http, 'conn-move', { httpPort: wharf.port })).status).toBe(400);
    expect((await updateHosted(wharf.http, 'conn-move', { httpPort: owner })).status).toBe(400);
    expect(httpPortOf((await getHosted(wharf.http, 'conn-move')).json())).toBe(port);
    expect(await apiAnswers(port)).toBe(true);
  });
});

describe('a connector serves only its own repository', () => {
  it('names on a connector are images of that repository, not <repo>/<image>', async () => {
    const p1 = await freePort();
    const p2 = await freePort();
    await createHosted(wharf.http, 'conn-one', { httpPort: p1 });
    await createHosted(wharf.http, 'conn-two', { httpPort: p2 });
    const m = imageManifest();
    await new Registry(wharf.on(p1)).pushImage('shared/name', 'v1', m);
    expect((await new Registry(wharf.on(p1)).getManifest('shared/name', 'v1')).status).toBe(200);
    expect((await new Registry(wharf.on(p2)).getManifest('shared/name', 'v1')).status).toBe(404);
    expect((await new Registry(wharf.on(p2)).getManifest('conn-one/shared/name', 'v1')).status).toBe(404);
  });
});

describe('privileged connector ports (below 1024) are refused unless WHARF_ALLOW_PRIVILEGED_PORTS', () => {
  /** A port below 1024 nothing listens on (the tests run as root, so Wharf could bind it). */
  async function freePrivilegedPort(): Promise<number> {
    for (let port = 1023; port > 900; port--) if (await canBind(port)) return port;
    throw new Error('no free port between 901 and 1023');
  }

  it('by default: 400 naming docker.httpPort, nothing bound, nothing stored', async () => {
    const port = await freePrivilegedPort();
    const res = await createHostedRaw(wharf.http, hostedBody('conn-privileged', { httpPort: port }));
    expect(res.status, res.text()).toBe(400);
    expect(res.text()).toContain('WHARF_ALLOW_PRIVILEGED_PORTS');
    expect(await isListening(port)).toBe(false);
    expect((await getHosted(wharf.http, 'conn-privileged')).status).toBe(404);
    await createHosted(wharf.http, 'conn-unprivileged', {});
    expect((await updateHosted(wharf.http, 'conn-unprivileged', { httpPort: port })).status).toBe(400);
    expect(await isListening(port)).toBe(false);
  });

  it('allowed by the setting: bound; a later start without it leaves the stored port closed', async () => {
    const port = await freePrivilegedPort();
    const allowing = await startTestWharf({ keepData: true, config: { allowPrivilegedPorts: true } });
    let dataDir = allowing.dataDir;
    try {
      await createHosted(allowing.http, 'low-port', { httpPort: port });
      expect(await isListening(port)).toBe(true);
    } finally {
      await allowing.close();
    }
    const strict = await startTestWharf({ dataDir, adminPassword: allowing.admin.password });
    dataDir = strict.dataDir;
    try {
      expect(await isListening(port)).toBe(false);
      expect((await getHosted(strict.http, 'low-port')).status).toBe(200);
    } finally {
      await strict.close();
    }
  });
});
