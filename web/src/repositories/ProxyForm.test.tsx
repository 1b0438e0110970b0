import { fireEvent, screen, waitFor } from '@testing-library/react';
import type { ProxyRepositoryJson, ProxyRepositoryView } from '@wharf/api-types';
import { renderWithApi } from '../test-utils';
import { describe, expect, it, vi } from 'vitest';
import { errorOf, type } from '../test/dom';
import { REPOSITORIES, FORM_ROUTES, refusedSave } from '../test/fixtures';
import { ProxyForm } from './ProxyForm';
import { defaultProxy, proxyFromJson } from './model';
import type { ValidationContext } from './validation';

const create: ValidationContext = { mode: 'create', repositories: REPOSITORIES, mainPort: 8081 };
const edit: ValidationContext = { ...create, mode: 'edit' };

const STORED: ProxyRepositoryView = {
  name: 'ghcr',
  format: 'docker',
  type: 'proxy',
  url: 'http://wharf.example:8081/repository/ghcr',
  online: true,
  storage: { blobStoreName: 'default', strictContentTypeValidation: true },
  cleanup: { policyNames: [] },
  proxy: { remoteUrl: 'https://ghcr.io', contentMaxAge: -1, metadataMaxAge: 60, tagMaxAge: [{ pattern: 'latest', maxAge: 5 }] },
  negativeCache: { enabled: true, timeToLive: 30 },
  httpClient: { blocked: false, autoBlock: true, authentication: { type: 'username', username: 'robot' } },
  docker: { v1Enabled: false, forceBasicAuth: false, httpPort: 8183, httpsPort: null, subdomain: null, pathEnabled: true },
  dockerProxy: { indexType: 'REGISTRY', indexUrl: null },
};

function setup(context: ValidationContext, initial = defaultProxy(), save = vi.fn<(json: ProxyRepositoryJson) => Promise<void>>().mockResolvedValue(undefined)) {
  const onSaved = vi.fn();
  renderWithApi(<ProxyForm initial={initial} context={context} save={save} onSaved={onSaved} onCancel={() => undefined} />, FORM_ROUTES);
  const submit = () => fireEvent.click(screen.getByRole('button', { name: context.mode === 'create' ? 'Create proxy repository' : 'Save changes' }));
  return { save, onSaved, submit };
}

/** Adds a tag max age tier for each [pattern, minutes], after those the form has. */
function addTiers(...tiers: [pattern: string, minutes: string][]) {
  for (const [pattern, minutes] of tiers) {
    fireEvent.click(screen.getByRole('button', { name: 'Add tier' }));
    const n = screen.getAllByLabelText('Minutes').length;
    type(`Pattern ${n}`, pattern);
    fireEvent.change(screen.getAllByLabelText('Minutes')[n - 1]!, { target: { value: minutes } });
  }
}

describe('ProxyForm', () => {
  it('the Docker Hub preset fills the remote URL and the HUB index type', async () => {
    const { save, submit } = setup(create);
    fireEvent.click(screen.getByRole('button', { name: 'Docker Hub preset' }));
    expect((screen.getByLabelText('Remote URL') as HTMLInputElement).value).toBe('https://registry-1.docker.io');
    expect((screen.getByLabelText('Docker index') as HTMLSelectElement).value).toBe('HUB');
    expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('docker-hub');
    expect(screen.getByRole('button', { name: 'Docker Hub preset' }).getAttribute('aria-pressed')).toBe('true');
    // docker-hub exists already in the fixtures: the client says so
    submit();
    expect(errorOf('Name')).toBe('A repository named docker-hub already exists.');
    type('Name', 'hub-cache');
    submit();
    await waitFor(() => expect(save).toHaveBeenCalled());
    const json = save.mock.calls[0]![0];
    expect(json.proxy).toEqual({ remoteUrl: 'https://registry-1.docker.io', contentMaxAge: 1440, metadataMaxAge: 1440, tagMaxAge: [] });
    expect(json.dockerProxy).toEqual({ indexType: 'HUB', indexUrl: null });
    expect(json.httpClient).toEqual({ blocked: false, autoBlock: true, authentication: null });
    expect(json.negativeCache).toEqual({ enabled: true, timeToLive: 1440 });
  });

  it('validates URL, max ages and tag tiers next to each field', () => {
    const { save, submit } = setup(create);
    type('Name', 'cache');
    type('Remote URL', 'ftp://example.org');
    type('Content max age', '-5');
    type('Tag max age', 'soon');
    addTiers(['(unclosed', '5'], ['latest', 'x']);
    submit();
    expect(errorOf('Remote URL')).toBe('Only http:// and https:// URLs are supported.');
    expect(errorOf('Content max age')).toMatch(/-1 for "never expires"/);
    expect(errorOf('Tag max age')).toBe('Enter whole minutes, or -1 for "never expires".');
    expect(errorOf('Pattern 1')).toMatch(/^Not a valid regular expression/);
    expect(errorOf('Pattern 2')).toBeNull();
    expect(screen.getAllByLabelText('Minutes').map((m) => m.getAttribute('aria-invalid'))).toEqual(['false', 'true']);
    expect(save).not.toHaveBeenCalled();
  });

  it('orders tiers with the move buttons', async () => {
    const { save, submit } = setup(create);
    type('Name', 'cache');
    type('Remote URL', 'https://quay.io');
    addTiers(['latest', '5'], ['v\\d+', '-1']);
    fireEvent.click(screen.getByRole('button', { name: 'Move tier 2 up' }));
    submit();
    await waitFor(() => expect(save).toHaveBeenCalled());
    expect(save.mock.calls[0]![0].proxy.tagMaxAge).toEqual([
      { pattern: 'v\\d+', maxAge: -1 },
      { pattern: 'latest', maxAge: 5 },
    ]);
  });

  it('credentials are write-only: an empty password on edit keeps the stored one', async () => {
    const { save, submit } = setup(edit, proxyFromJson(STORED));
    const password = screen.getByLabelText('Upstream password or token') as HTMLInputElement;
    expect(password.value).toBe('');
    expect(password.placeholder).toBe('unchanged');
    submit();
    await waitFor(() => expect(save).toHaveBeenCalled());
    expect(save.mock.calls[0]![0].httpClient.authentication).toEqual({ type: 'username', username: 'robot' });
    expect(save.mock.calls[0]![0].proxy.tagMaxAge).toEqual([{ pattern: 'latest', maxAge: 5 }]);
  });

  it('a changed user name needs its password; a typed password is sent', async () => {
    const { save, submit } = setup(edit, proxyFromJson(STORED));
    type('Upstream user name', 'robot2');
    submit();
    expect(errorOf('Upstream password or token')).toBe('The user name changed: enter the password for the new user name.');
    type('Upstream password or token', 's3cret');
    submit();
    await waitFor(() => expect(save).toHaveBeenCalled());
    expect(save.mock.calls[0]![0].httpClient.authentication).toEqual({ type: 'username', username: 'robot2', password: 's3cret' });
  });

  it('maps server errors on nested paths (tiers, authentication) to their fields', async () => {
    const save = refusedSave(
      { id: 'proxy.tagMaxAge.0.pattern', message: 'proxy.tagMaxAge.0.pattern must be a valid regular expression' },
      { id: 'httpClient.authentication.username', message: 'httpClient.authentication.username must be longer than or equal to 1 characters' },
      { id: 'proxy.remoteUrl', message: 'proxy.remoteUrl must be an http(s) URL' },
    );
    const { submit } = setup(edit, proxyFromJson(STORED), save);
    submit();
    await waitFor(() => expect(errorOf('Pattern 1')).toBe('Must be a valid regular expression'));
    expect(errorOf('Upstream user name')).toBe('Must be longer than or equal to 1 characters');
    expect(errorOf('Remote URL')).toBe('Must be an http(s) URL');
  });
});
