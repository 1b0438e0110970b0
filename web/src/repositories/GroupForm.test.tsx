import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { GroupRepositoryJson } from '@wharf/api-types';
import { renderWithApi } from '../test-utils';
import { describe, expect, it, vi } from 'vitest';
import { errorOf, type } from '../test/dom';
import { REPOSITORIES, summary, FORM_ROUTES, refusedSave } from '../test/fixtures';
import { GroupForm } from './GroupForm';
import { defaultGroup } from './model';
import type { ValidationContext } from './validation';

const repositories = [...REPOSITORIES, summary('releases', 'hosted')];
const create: ValidationContext = { mode: 'create', repositories, mainPort: 8081 };

function setup(initial = defaultGroup(), save = vi.fn<(json: GroupRepositoryJson) => Promise<void>>().mockResolvedValue(undefined)) {
  renderWithApi(<GroupForm initial={initial} context={create} save={save} onSaved={() => undefined} onCancel={() => undefined} />, FORM_ROUTES);
  const submit = () => fireEvent.click(screen.getByRole('button', { name: 'Create group repository' }));
  const add = (name: string) => {
    fireEvent.change(screen.getByLabelText('Repository to add'), { target: { value: name } });
    fireEvent.click(screen.getByRole('button', { name: 'Add member' }));
  };
  const order = () => within(screen.getByRole('list', { name: 'Members in order' })).getAllByRole('listitem').map((li) => li.querySelector('.member-name')!.textContent);
  return { save, submit, add, order };
}

describe('GroupForm', () => {
  it('needs at least one member', () => {
    const { save, submit } = setup();
    type('Name', 'docker-group');
    submit();
    expect(errorOf('Repository to add')).toBe('Add at least one member repository.');
    expect(save).not.toHaveBeenCalled();
  });

  it('keeps members in the order chosen with the move buttons, and sends the CONTRACT JSON', async () => {
    const { save, submit, add, order } = setup();
    type('Name', 'docker-group');
    type('HTTP connector port', '8181');
    add('docker-hub');
    add('docker-hosted');
    add('ghcr');
    expect(order()).toEqual(['docker-hub', 'docker-hosted', 'ghcr']);
    fireEvent.click(screen.getByRole('button', { name: 'Move docker-hosted up' }));
    fireEvent.click(screen.getByRole('button', { name: 'Move docker-hub down' }));
    expect(order()).toEqual(['docker-hosted', 'ghcr', 'docker-hub']);
    fireEvent.click(screen.getByRole('button', { name: 'Remove ghcr' }));
    expect(order()).toEqual(['docker-hosted', 'docker-hub']);
    // only hosted members can be the writable member
    const writable = screen.getByLabelText('Writable member') as HTMLSelectElement;
    expect([...writable.options].map((o) => o.value)).toEqual(['', 'docker-hosted']);
    fireEvent.change(writable, { target: { value: 'docker-hosted' } });
    submit();
    await waitFor(() => expect(save).toHaveBeenCalled());
    expect(save.mock.calls[0]![0]).toEqual({
      name: 'docker-group',
      online: true,
      storage: { blobStoreName: 'default', strictContentTypeValidation: true },
      cleanup: { policyNames: [] },
      group: { memberNames: ['docker-hosted', 'docker-hub'], writableMember: 'docker-hosted' },
      docker: { v1Enabled: false, forceBasicAuth: false, httpPort: 8181, httpsPort: null, subdomain: null, pathEnabled: true },
    });
  });

  it('removing the writable member clears it', () => {
    const { add } = setup();
    add('releases');
    fireEvent.change(screen.getByLabelText('Writable member'), { target: { value: 'releases' } });
    fireEvent.click(screen.getByRole('button', { name: 'Remove releases' }));
    expect((screen.getByLabelText('Writable member') as HTMLSelectElement).value).toBe('');
  });

  it('rejects a writable member that is not hosted (prefilled from a link)', () => {
    const { submit } = setup({ ...defaultGroup(), name: 'g', memberNames: ['docker-hub'], writableMember: 'docker-hub' });
    submit();
    expect(errorOf('Writable member')).toBe('docker-hub is a proxy repository; only a hosted member can take pushes.');
  });

  it('shows the server’s group errors next to the members and the writable member', async () => {
    const save = refusedSave(
      { id: '*', message: 'group.memberNames: repository gone does not exist' },
      { id: 'group.writableMember', message: 'group.writableMember must be a string' },
      { id: '*', message: 'group members would form a cycle: a -> b -> a' },
    );
    const { submit, add } = setup(defaultGroup(), save);
    type('Name', 'docker-group');
    add('docker-hosted');
    submit();
    await waitFor(() => expect(errorOf('Repository to add')).toBe('Repository gone does not exist'));
    expect(errorOf('Writable member')).toBe('Must be a string');
    expect(screen.getByText('Group members would form a cycle: a -> b -> a')).toBeTruthy();
  });
});
