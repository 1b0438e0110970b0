import { describe, expect, it } from 'vitest';
import { imageManifest } from '@wharf/test-kit';
import { Registry, expectRegistryError } from '../support/registry';
import {
  REPOSITORIES,
  createHosted,
  createHostedRaw,
  deleteRepository,
  fieldIds,
  getHosted,
  hostedBody,
  updateHosted,
} from '../support/rest';
import { useTestWharf } from '../support/wharf';

const wharf = useTestWharf();

describe('status', () => {
  it('GET /service/rest/v1/status is 200 without credentials', async () => {
    const res = await wharf.anonymous.get('/service/rest/v1/status');
    expect(res.status).toBe(200);
  });

  it('GET /service/rest/v1/status/writable is 200 without credentials', async () => {
    const res = await wharf.anonymous.get('/service/rest/v1/status/writable');
    expect(res.status).toBe(200);
  });
});

describe('hosted repositories: create, read, list, update, delete', () => {
  it('starts with no repositories', async () => {
    const res = await wharf.http.get(REPOSITORIES);
    expect(res.status).toBe(200);
    expect(res.json()).toEqual([]);
  });

  it('POST docker/hosted is 201; GET returns the create shape plus format, type and url', async () => {
    const res = await createHostedRaw(wharf.http, hostedBody('crud-one', { writePolicy: 'ALLOW_ONCE' }));
    expect(res.status, res.text()).toBe(201);

    const get = await getHosted(wharf.http, 'crud-one');
    expect(get.status).toBe(200);
    expect(get.header('content-type')).toMatch(/^application\/json/);
    const body = get.json<Record<string, unknown>>();
    expect(body).toMatchObject({
      name: 'crud-one',
      format: 'docker',
      type: 'hosted',
      url: `${wharf.url}/repository/crud-one`,
      online: true,
      storage: { blobStoreName: 'default', strictContentTypeValidation: true, writePolicy: 'ALLOW_ONCE' },
      cleanup: { policyNames: [] },
      docker: { v1Enabled: false, forceBasicAuth: true, httpPort: null, httpsPort: null, subdomain: null },
    });
  });

  it('accepts latestPolicy and pathEnabled as in Nexus and returns them', async () => {
    const body = hostedBody('crud-latest', { writePolicy: 'ALLOW_ONCE', latestPolicy: true });
    (body.docker as Record<string, unknown>).pathEnabled = true;
    const res = await createHostedRaw(wharf.http, body);
    expect(res.status, res.text()).toBe(201);
    const get = (await getHosted(wharf.http, 'crud-latest')).json<{ storage: { latestPolicy: boolean }; docker: { pathEnabled: boolean } }>();
    expect(get.storage.latestPolicy).toBe(true);
    expect(get.docker.pathEnabled).toBe(true);
  });

  it('the repository is usable on the registry API at once', async () => {
    const registry = new Registry(wharf.http);
    await registry.pushImage('crud-one/app', 'v1', imageManifest());
  });

  it('GET /repositories lists it with name, format, type, url and attributes', async () => {
    const res = await wharf.http.get(REPOSITORIES);
    expect(res.status).toBe(200);
    const list = res.json<{ name: string }[]>();
    const entry = list.find((r) => r.name === 'crud-one');
    expect(entry).toMatchObject({ name: 'crud-one', format: 'docker', type: 'hosted', url: `${wharf.url}/repository/crud-one` });
    expect(typeof (entry as { attributes?: unknown }).attributes).toBe('object');
  });

  it('creating a repository whose name exists is 400 and changes nothing', async () => {
    const res = await createHostedRaw(wharf.http, hostedBody('crud-one', { writePolicy: 'DENY' }));
    expect(res.status, res.text()).toBe(400);
    expect(res.text()).toContain('crud-one');
    expect((await getHosted(wharf.http, 'crud-one')).json<{ storage: { writePolicy: string } }>().storage.writePolicy).toBe('ALLOW_ONCE');
  });

  it('PUT docker/hosted/{name} is 204 and the change is visible', async () => {
    const res = await updateHosted(wharf.http, 'crud-one', { writePolicy: 'DENY' });
    expect(res.status, res.text()).toBe(204);
    const get = (await getHosted(wharf.http, 'crud-one')).json<{ storage: { writePolicy: string } }>();
    expect(get.storage.writePolicy).toBe('DENY');
    expectRegistryError(await new Registry(wharf.http).http.post('/v2/crud-one/app/blobs/uploads/'), 403, 'DENIED');
  });

  it('PUT with another name in the body is 400 (no renames)', async () => {
    const res = await wharf.http.sendJson('PUT', `${REPOSITORIES}/docker/hosted/crud-one`, hostedBody('crud-renamed'));
    expect(res.status, res.text()).toBe(400);
    expect((await getHosted(wharf.http, 'crud-renamed')).status).toBe(404);
    expect((await getHosted(wharf.http, 'crud-one')).status).toBe(200);
  });

  it('PUT of an unknown repository is 404', async () => {
    const res = await updateHosted(wharf.http, 'crud-nobody');
    expect(res.status, res.text()).toBe(404);
    expect((await getHosted(wharf.http, 'crud-nobody')).status).toBe(404);
  });

  it('DELETE is 204; then GET is 404, the registry answers NAME_UNKNOWN, and the list no longer has it', async () => {
    const res = await deleteRepository(wharf.http, 'crud-one');
    expect(res.status, res.text()).toBe(204);
    expect((await getHosted(wharf.http, 'crud-one')).status).toBe(404);
    expectRegistryError(await wharf.http.get('/v2/crud-one/app/manifests/v1'), 404, 'NAME_UNKNOWN');
    expect((await wharf.http.get(REPOSITORIES)).json<{ name: string }[]>().map((r) => r.name)).not.toContain('crud-one');
  });

  it('DELETE of an unknown repository is 404', async () => {
    expect((await deleteRepository(wharf.http, 'crud-one')).status).toBe(404);
    expect((await deleteRepository(wharf.http, 'never-existed')).status).toBe(404);
  });

  it('a repository re-created under a deleted name starts empty', async () => {
    const registry = new Registry(wharf.http);
    await createHosted(wharf.http, 'crud-reborn');
    const m = imageManifest();
    await registry.pushImage('crud-reborn/app', 'v1', m);
    expect((await deleteRepository(wharf.http, 'crud-reborn')).status).toBe(204);
    await createHosted(wharf.http, 'crud-reborn');
    expectRegistryError(await registry.getManifest('crud-reborn/app', 'v1'), 404, 'MANIFEST_UNKNOWN');
    expectRegistryError(await registry.getManifest('crud-reborn/app', m.digest), 404, 'MANIFEST_UNKNOWN');
    expectRegistryError(await registry.getBlob('crud-reborn/app', m.blobs[1]!.digest), 404, 'BLOB_UNKNOWN');
    expect((await registry.http.get('/repository/crud-reborn/v2/_catalog')).json()).toEqual({ repositories: [] });
  });
});

describe('GET of a repository that is not there, or not of that type, is 404', () => {
  it('unknown hosted repository', async () => {
    const res = await getHosted(wharf.http, 'nope');
    expect(res.status).toBe(404);
    expect(res.header('content-type')).toMatch(/^application\/json/);
  });

  it('a hosted repository asked for as proxy or group', async () => {
    await createHosted(wharf.http, 'typed');
    expect((await wharf.http.get(`${REPOSITORIES}/docker/proxy/typed`)).status).toBe(404);
    expect((await wharf.http.get(`${REPOSITORIES}/docker/group/typed`)).status).toBe(404);
    expect((await getHosted(wharf.http, 'typed')).status).toBe(200);
  });
});

describe('validation: 400 with one entry per bad field, named by its path', () => {
  it('every bad field of one request is named, and nothing is created', async () => {
    const body = {
      name: 'Bad Name',
      online: 'yes',
      storage: { blobStoreName: 'else/where', strictContentTypeValidation: 'true', writePolicy: 'SOMETIMES' },
      cleanup: { policyNames: [] },
      docker: { v1Enabled: true, forceBasicAuth: 1, httpPort: 70000 },
    };
    const res = await createHostedRaw(wharf.http, body);
    expect(res.status, res.text()).toBe(400);
    const ids = fieldIds(res);
    for (const field of [
      'name',
      'online',
      'storage.blobStoreName',
      'storage.strictContentTypeValidation',
      'storage.writePolicy',
      'docker.v1Enabled',
      'docker.forceBasicAuth',
      'docker.httpPort',
    ]) {
      expect(ids, field).toContain(field);
    }
    for (const entry of res.json<{ id: string; message: string }[]>()) {
      expect(typeof entry.message).toBe('string');
      expect(entry.message, entry.id).toContain(entry.id);
    }
    expect((await getHosted(wharf.http, 'Bad Name')).status).toBe(404);
    expect((await wharf.http.get(REPOSITORIES)).json<{ name: string }[]>().map((r) => r.name)).not.toContain('Bad Name');
  });

  it('missing storage and docker sections are named', async () => {
    const res = await createHostedRaw(wharf.http, { name: 'no-sections', online: true });
    expect(res.status).toBe(400);
    expect(fieldIds(res)).toEqual(expect.arrayContaining(['storage', 'docker']));
    expect((await getHosted(wharf.http, 'no-sections')).status).toBe(404);
  });

  it.each([
    ['an invalid name', { name: 'UPPER' }, 'name'],
    ['a name with a slash', { name: 'a/b' }, 'name'],
    ['an empty name', { name: '' }, 'name'],
    ['a port of 0', { docker: { v1Enabled: false, forceBasicAuth: true, httpPort: 0 } }, 'docker.httpPort'],
    ['a port as a string', { docker: { v1Enabled: false, forceBasicAuth: true, httpPort: '8082' } }, 'docker.httpPort'],
    ['a fractional port', { docker: { v1Enabled: false, forceBasicAuth: true, httpPort: 8082.5 } }, 'docker.httpPort'],
    ['an httpsPort without a certificate (WHARF_TLS_CERTIFICATE)', { docker: { v1Enabled: false, forceBasicAuth: true, httpPort: null, httpsPort: 8443 } }, 'docker.httpsPort'],
    ['a privileged port (22)', { docker: { v1Enabled: false, forceBasicAuth: true, httpPort: 22 } }, 'docker.httpPort'],
    ['a privileged port (80)', { docker: { v1Enabled: false, forceBasicAuth: true, httpPort: 80 } }, 'docker.httpPort'],
    ['a privileged port (1023)', { docker: { v1Enabled: false, forceBasicAuth: true, httpPort: 1023 } }, 'docker.httpPort'],
    ['a lower-case write policy', { storage: { blobStoreName: 'default', strictContentTypeValidation: true, writePolicy: 'allow' } }, 'storage.writePolicy'],
  ])('%s', async (_what, override, field) => {
    const body = { ...hostedBody('valid-name'), ...override };
    const res = await createHostedRaw(wharf.http, body);
    expect(res.status, res.text()).toBe(400);
    expect(fieldIds(res)).toContain(field);
    expect((await getHosted(wharf.http, 'valid-name')).status).toBe(404);
  });

  it('PUT validates too, and leaves the repository unchanged', async () => {
    await createHosted(wharf.http, 'put-validated', { writePolicy: 'ALLOW' });
    const body = { ...hostedBody('put-validated'), storage: { blobStoreName: 'default', strictContentTypeValidation: true, writePolicy: 'NEVER' } };
    const res = await wharf.http.sendJson('PUT', `${REPOSITORIES}/docker/hosted/put-validated`, body);
    expect(res.status).toBe(400);
    expect(fieldIds(res)).toContain('storage.writePolicy');
    expect((await getHosted(wharf.http, 'put-validated')).json<{ storage: { writePolicy: string } }>().storage.writePolicy).toBe('ALLOW');
  });
});

describe('bodies that are not JSON objects are 400', () => {
  it('malformed JSON', async () => {
    const res = await wharf.http.sendJson('POST', `${REPOSITORIES}/docker/hosted`, '{"name": "broken", ');
    expect(res.status, res.text()).toBe(400);
    expect(res.header('content-type')).toMatch(/^application\/json/);
    expect(res.text()).toMatch(/JSON/i);
    expect((await getHosted(wharf.http, 'broken')).status).toBe(404);
  });

  it('an empty body, a JSON array and a JSON string', async () => {
    for (const text of ['', '[]', '"hosted"', 'null']) {
      const res = await wharf.http.sendJson('POST', `${REPOSITORIES}/docker/hosted`, text);
      expect(res.status, JSON.stringify(text)).toBe(400);
    }
  });

  it('a body that is not declared as JSON', async () => {
    const res = await wharf.http.post(`${REPOSITORIES}/docker/hosted`, {
      headers: { 'Content-Type': 'text/plain' },
      body: JSON.stringify(hostedBody('plain-text')),
    });
    expect([400, 415]).toContain(res.status);
    expect((await getHosted(wharf.http, 'plain-text')).status).toBe(404);
  });

  it('malformed JSON on PUT', async () => {
    await createHosted(wharf.http, 'put-broken');
    const res = await wharf.http.sendJson('PUT', `${REPOSITORIES}/docker/hosted/put-broken`, '{');
    expect(res.status).toBe(400);
    expect((await getHosted(wharf.http, 'put-broken')).status).toBe(200);
  });

  it('the server is still up afterwards', async () => {
    expect((await wharf.anonymous.get('/service/rest/v1/status')).status).toBe(200);
    await createHosted(wharf.http, 'after-bad-json');
  });
});

describe('credentials', () => {
  it('every repository endpoint is 401 with a Basic challenge without credentials', async () => {
    const requests: [string, string][] = [
      ['GET', REPOSITORIES],
      ['GET', `${REPOSITORIES}/docker/hosted/typed`],
      ['POST', `${REPOSITORIES}/docker/hosted`],
      ['PUT', `${REPOSITORIES}/docker/hosted/typed`],
      ['DELETE', `${REPOSITORIES}/typed`],
    ];
    for (const [method, path] of requests) {
      const res =
        method === 'GET' || method === 'DELETE'
          ? await wharf.anonymous.request(method, path)
          : await wharf.anonymous.sendJson(method, path, method === 'POST' ? hostedBody('anon-made') : hostedBody('typed', { writePolicy: 'DENY' }));
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.header('www-authenticate'), `${method} ${path}`).toMatch(/^Basic realm="Wharf"/);
    }
    expect((await getHosted(wharf.http, 'anon-made')).status).toBe(404);
    const typed = await getHosted(wharf.http, 'typed');
    expect(typed.status).toBe(200);
    expect(typed.json<{ storage: { writePolicy: string } }>().storage.writePolicy).toBe('ALLOW');
  });

  it('a wrong password is 401', async () => {
    const res = await wharf.http.get(REPOSITORIES, { auth: { username: 'admin', password: 'wrong' } });
    expect(res.status).toBe(401);
    expect(res.header('www-authenticate')).toMatch(/^Basic realm="Wharf"/);
  });
});
