import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { HostedRepositoryJson } from '@wharf/api-types';
import { renderWithApi } from '../test-utils';
import { describe, expect, it, vi } from 'vitest';
import { errorOf, type } from '../test/dom';
import { REPOSITORIES, FORM_ROUTES, refusedSave } from '../test/fixtures';
import { HostedForm } from './HostedForm';
import { defaultHosted } from './model';
import type { ValidationContext } from './validation';

const create: ValidationContext = { mode: 'create', repositories: REPOSITORIES, mainPort: 8081 };

function setup(save = vi.fn<(json: HostedRepositoryJson) => Promise<void>>().mockResolvedValue(undefined), context = create) {
  const onSaved = vi.fn();
  renderWithApi(<HostedForm initial={defaultHosted()} context={context} save={save} onSaved={onSaved} onCancel={() => undefined} />, FORM_ROUTES);
  return { save, onSaved };
}

const submit = () => fireEvent.click(screen.getByRole('button', { name: 'Create hosted repository' }));

describe('HostedForm', () => {
  it('shows every CONTRACT field with a one-line explanation', () => {
    setup();
    for (const label of ['Name', 'Online', 'Blob store', 'Strict content type validation', 'Deployment policy', 'Allow redeploying "latest"', 'Cleanup policies', 'HTTP connector port', 'Require authentication', 'HTTPS connector port']) {
      const input = screen.getByLabelText(label);
      expect(input.getAttribute('aria-describedby'), label).toMatch(/-help/);
    }
  });

  it('validates on the client and does not call the server', async () => {
    const { save } = setup();
    submit();
    expect(await screen.findByRole('alert')).toHaveProperty('textContent', expect.stringContaining('needs attention'));
    expect(errorOf('Name')).toBe('Enter a name.');
    type('Name', 'My_Repo');
    expect(errorOf('Name')).toBeNull(); // editing a field clears its error
    type('HTTP connector port', '70000');
    submit();
    expect(errorOf('Name')).toMatch(/lower-case letters/);
    expect(errorOf('HTTP connector port')).toBe('A port is a number from 1 to 65535.');
    type('Name', 'docker-hosted');
    type('HTTP connector port', '8081');
    submit();
    expect(errorOf('Name')).toBe('A repository named docker-hosted already exists.');
    expect(errorOf('HTTP connector port')).toMatch(/Wharf's main port/);
    type('HTTP connector port', '8183');
    submit();
    expect(errorOf('HTTP connector port')).toMatch(/already the connector of repository ghcr/);
    expect(save).not.toHaveBeenCalled();
  });

  it('sends the CONTRACT JSON', async () => {
    const { save, onSaved } = setup();
    type('Name', 'team-a');
    type('HTTP connector port', '8190');
    fireEvent.change(screen.getByLabelText('Deployment policy'), { target: { value: 'ALLOW_ONCE' } });
    fireEvent.click(screen.getByLabelText('Allow redeploying "latest"'));
    submit();
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(save).toHaveBeenCalledWith({
      name: 'team-a',
      online: true,
      storage: { blobStoreName: 'default', strictContentTypeValidation: true, writePolicy: 'ALLOW_ONCE', latestPolicy: true },
      cleanup: { policyNames: [] },
      docker: { v1Enabled: false, forceBasicAuth: true, httpPort: 8190, httpsPort: null, subdomain: null, pathEnabled: true },
    });
  });

  it('takes an HTTPS connector port: refuses the HTTP port or another repository\'s, sends the number', async () => {
    const { save, onSaved } = setup();
    type('Name', 'team-tls');
    type('HTTP connector port', '8190');
    type('HTTPS connector port', '8190');
    submit();
    expect(errorOf('HTTPS connector port')).toMatch(/A port serves HTTP or HTTPS/);
    type('HTTPS connector port', '8182');
    submit();
    expect(errorOf('HTTPS connector port')).toMatch(/already the connector of repository docker-hosted/);
    type('HTTPS connector port', '8443');
    submit();
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(save.mock.calls[0]![0].docker).toEqual({ v1Enabled: false, forceBasicAuth: true, httpPort: 8190, httpsPort: 8443, subdomain: null, pathEnabled: true });
  });

  it('shows server 400s next to the matching field and explains port conflicts', async () => {
    const save = refusedSave(
      { id: 'docker.httpsPort', message: 'docker.httpsPort needs a certificate: start Wharf with WHARF_TLS_CERTIFICATE and WHARF_TLS_KEY (PEM files)' },
      { id: '*', message: 'port 8190 is already in use on 0.0.0.0' },
      { id: '*', message: 'the blob store is read-only' },
    );
    const { onSaved } = setup(save);
    type('Name', 'team-a');
    type('HTTP connector port', '8190');
    submit();
    await waitFor(() => expect(errorOf('HTTPS connector port')).toBe('docker.httpsPort needs a certificate: start Wharf with WHARF_TLS_CERTIFICATE and WHARF_TLS_KEY (PEM files)'));
    expect(errorOf('HTTP connector port')).toMatch(/^Port 8190 is already in use on 0\.0\.0\.0\. Another program on the Wharf server/);
    const summary = screen.getAllByRole('alert').find((a) => a.classList.contains('form-errors'))!;
    expect(within(summary).getByText('The blob store is read-only')).toBeTruthy();
    expect(onSaved).not.toHaveBeenCalled();
  });

  it('maps a plain 400 message naming a field (the port of another repository)', async () => {
    const save = refusedSave({ id: '*', message: 'docker.httpPort 8190 is already used by repository other' });
    setup(save);
    type('Name', 'team-a');
    type('HTTP connector port', '8190');
    submit();
    await waitFor(() => expect(errorOf('HTTP connector port')).toMatch(/docker\.httpPort 8190 is already used by repository other\. Each connector port serves exactly one repository/));
  });

  it('keeps the name read-only when editing', () => {
    renderWithApi(
      <HostedForm
        initial={{ ...defaultHosted(), name: 'docker-hosted' }}
        context={{ ...create, mode: 'edit' }}
        save={vi.fn()}
        onSaved={() => undefined}
        onCancel={() => undefined}
      />,
      FORM_ROUTES,
    );
    expect((screen.getByLabelText('Name') as HTMLInputElement).disabled).toBe(true);
    expect(screen.getByRole('button', { name: 'Save changes' })).toBeTruthy();
  });

  it('offers the existing cleanup policies as ticks and sends the names ticked in cleanup.policyNames', async () => {
    const { save, onSaved } = setup();
    const group = screen.getByRole('group', { name: 'Cleanup policies' });
    const stale = await within(group).findByRole('checkbox', { name: /stale-30d/ });
    expect(group.textContent).toContain('Images nobody pulled for 30 days');
    expect(within(group).getAllByRole('checkbox').map((c) => (c as HTMLInputElement).value)).toEqual(['stale-30d', 'pr-tags']);
    fireEvent.click(within(group).getByRole('checkbox', { name: /pr-tags/ }));
    fireEvent.click(stale);
    type('Name', 'team-a');
    submit();
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(save.mock.calls[0]![0].cleanup).toEqual({ policyNames: ['pr-tags', 'stale-30d'] });
  });

  it('keeps a stored policy name that no longer exists visible (marked) until it is unticked, and says how to add policies when there are none', async () => {
    const onSaved = vi.fn();
    const save = vi.fn<(json: HostedRepositoryJson) => Promise<void>>().mockResolvedValue(undefined);
    const { unmount } = renderWithApi(
      <HostedForm initial={{ ...defaultHosted(), name: 'docker-hosted', cleanupPolicyNames: ['gone', 'stale-30d'] }} context={{ ...create, mode: 'edit' }} save={save} onSaved={onSaved} onCancel={() => undefined} />,
      FORM_ROUTES,
    );
    const group = screen.getByRole('group', { name: 'Cleanup policies' });
    const gone = await within(group).findByRole('checkbox', { name: /gone/ });
    await waitFor(() => expect(group.textContent).toContain('no such policy'));
    expect((gone as HTMLInputElement).checked).toBe(true);
    fireEvent.click(gone);
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(save.mock.calls[0]![0].cleanup).toEqual({ policyNames: ['stale-30d'] });
    unmount();

    renderWithApi(<HostedForm initial={defaultHosted()} context={create} save={save} onSaved={onSaved} onCancel={() => undefined} />, { 'GET /service/rest/v1/cleanup-policies': { json: [] } });
    expect(await screen.findByText(/No cleanup policies yet/)).toBeTruthy();
    expect(screen.queryAllByRole('checkbox', { name: /stale/ })).toHaveLength(0);
  });
});
