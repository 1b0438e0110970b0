import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithApi } from '../test-utils';
import { SecurityPage } from './SecurityPage';

describe('security pages', () => {
  it.each([
    ['users', 'User management', 'GET /service/rest/v1/security/users'],
    ['roles', 'Role management', 'GET /service/rest/v1/security/roles'],
    ['realms', 'Realm settings', 'GET /service/rest/v1/security/realms/active'],
    ['tokens', 'API tokens', 'GET /service/rest/v1/security/api-tokens'],
  ] as const)('%s: a 404 shows "not available on this server"', async (tab, what, endpoint) => {
    renderWithApi(<SecurityPage tab={tab} />, {});
    expect(await screen.findByText(`${what} is not available on this server`)).toBeTruthy();
    expect(screen.getByText(endpoint)).toBeTruthy();
  });

  it('the anonymous switch PUTs the new state', async () => {
    const { calls } = renderWithApi(<SecurityPage tab="anonymous" />, {
      'GET /service/rest/v1/security/anonymous': { json: { enabled: false, userId: 'anonymous', realmName: 'NexusAuthorizingRealm' } },
      'PUT /service/rest/v1/security/anonymous': (call) => ({ json: JSON.parse(call.body!) }),
    });
    const toggle = await screen.findByRole('switch');
    expect(toggle.getAttribute('aria-checked')).toBe('false');
    fireEvent.click(toggle);
    await waitFor(() => expect(screen.getByRole('switch').getAttribute('aria-checked')).toBe('true'));
    const put = calls.find((c) => c.method === 'PUT')!;
    expect(JSON.parse(put.body!)).toEqual({ enabled: true, userId: 'anonymous', realmName: 'NexusAuthorizingRealm' });
  });

  it('a created API token is shown once', async () => {
    const { calls } = renderWithApi(<SecurityPage tab="tokens" />, {
      'GET /service/rest/v1/security/api-tokens': { json: [] },
      'POST /service/rest/v1/security/api-tokens': (call) => ({
        status: 201,
        json: { id: 't1', name: JSON.parse(call.body!).name, createdAt: new Date().toISOString(), expiresAt: null, lastUsedAt: null, token: 'wharf_secret_123' },
      }),
    });
    fireEvent.click(await screen.findByRole('button', { name: 'New token' }));
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'ci-deploy' } });
    fireEvent.change(screen.getByLabelText('Expires after'), { target: { value: 'never' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create token' }));
    expect(await screen.findByText('wharf_secret_123')).toBeTruthy();
    expect(JSON.parse(calls.find((c) => c.method === 'POST')!.body!)).toEqual({ name: 'ci-deploy', expiresAt: null });
    fireEvent.click(screen.getByRole('button', { name: 'I have copied it' }));
    expect(screen.queryByText('wharf_secret_123')).toBeNull();
  });

  it('creates a user with the roles chosen, and shows the server’s field errors', async () => {
    let attempt = 0;
    const { calls } = renderWithApi(<SecurityPage tab="users" />, {
      'GET /service/rest/v1/security/users': {
        json: [{ userId: 'admin', firstName: 'Administrator', lastName: 'User', emailAddress: 'admin@example.org', source: 'default', status: 'active', readOnly: false, roles: ['nx-admin'], externalRoles: [] }],
      },
      'GET /service/rest/v1/security/roles': {
        json: [
          { id: 'nx-admin', source: 'default', readOnly: true, name: 'Administrator', description: '', privileges: ['nx-all'], roles: [] },
          { id: 'developers', source: 'default', readOnly: false, name: 'Developers', description: '', privileges: [], roles: [] },
        ],
      },
      'POST /service/rest/v1/security/users': (call) =>
        ++attempt === 1 ? { status: 400, json: [{ id: 'userId', message: 'userId "ci" is reserved' }] } : { json: { ...JSON.parse(call.body!), source: 'default', readOnly: false, externalRoles: [] } },
    });
    fireEvent.click(await screen.findByRole('button', { name: 'New user' }));
    fireEvent.click(screen.getByRole('button', { name: 'Create user' }));
    expect(screen.getByText('Enter a user ID.')).toBeTruthy();
    expect(screen.getByText('Enter a password.')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('User ID'), { target: { value: 'ci' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'long passphrase' } });
    fireEvent.click(screen.getByLabelText('developers'));
    fireEvent.click(screen.getByRole('button', { name: 'Create user' }));
    expect(await screen.findByText('userId "ci" is reserved')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('User ID'), { target: { value: 'ci-bot' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create user' }));
    expect(await screen.findByText('Created user ci-bot.')).toBeTruthy();
    const posted = calls.filter((c) => c.method === 'POST').map((c) => JSON.parse(c.body!));
    expect(posted[1]).toEqual({ userId: 'ci-bot', firstName: '', lastName: '', emailAddress: '', status: 'active', roles: ['developers'], password: 'long passphrase' });
  });
});
