import { fireEvent, screen } from '@testing-library/react';
import type { AuditEventJson } from '@wharf/api-types';
import { describe, expect, it } from 'vitest';
import { renderWithApi } from '../test-utils';
import { AuditLog } from './AuditLog';
import { securityTabOf } from './SecurityPage';

function event(id: number, action: string, target: string): AuditEventJson {
  return { id, timestamp: '2026-12-06T07:00:00.000Z', actor: 'admin', address: '127.0.0.1', action, target, details: id === 3 ? { roles: ['nx-admin'] } : {} };
}

describe('AuditLog', () => {
  it('shows the newest events and loads older ones page by page', async () => {
    renderWithApi(<AuditLog />, {
      'GET /service/rest/v1/audit?limit=50': { json: { items: [event(3, 'security.user.create', 'alice'), event(2, 'repository.create', 'docker-hub')], nextBefore: 2 } },
      'GET /service/rest/v1/audit?limit=50&before=2': { json: { items: [event(1, 'security.anonymous.update', 'anonymous')], nextBefore: null } },
    });
    expect(await screen.findByText('security.user.create')).toBeTruthy();
    expect(screen.getByText('{"roles":["nx-admin"]}')).toBeTruthy();
    expect(screen.getAllByRole('row')).toHaveLength(3);
    fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByText('security.anonymous.update')).toBeTruthy();
    expect(screen.getAllByRole('row')).toHaveLength(4);
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  });

  it('has a page of its own, as anonymous access has (the setup guide links #/security/anonymous)', () => {
    expect(securityTabOf('audit')).toBe('audit');
    expect(securityTabOf('anonymous')).toBe('anonymous');
    expect(securityTabOf(undefined)).toBe('anonymous');
    expect(securityTabOf('nope')).toBeNull();
  });

  it('says so when there are no events', async () => {
    renderWithApi(<AuditLog />, { 'GET /service/rest/v1/audit?limit=50': { json: { items: [], nextBefore: null } } });
    expect(await screen.findByText('No events yet')).toBeTruthy();
  });
});
