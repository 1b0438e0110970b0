import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../App';
import { fakeFetch } from '../test-utils';
import { REPOSITORIES } from '../test/fixtures';
import { loadSession } from './session';

function signIn(username: string, password: string) {
  fireEvent.change(screen.getByLabelText('Username'), { target: { value: username } });
  fireEvent.change(screen.getByLabelText('Password'), { target: { value: password } });
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
}

describe('sign-in', () => {
  it('checks the credentials with GET /service/rest/v1/repositories and keeps them in sessionStorage', async () => {
    const fake = fakeFetch({
      'GET /service/rest/v1/repositories': (call) =>
        call.headers.authorization === 'Basic YWRtaW46cMOkc3N3b3Jk' // admin:pässword in UTF-8
          ? { json: REPOSITORIES }
          : { status: 401, json: { status: 401, message: 'the username or password is incorrect' }, headers: { 'WWW-Authenticate': 'Basic realm="Wharf"' } },
      'GET /service/rest/v1/repositories/docker-hosted/status': { json: { name: 'docker-hosted', type: 'hosted', online: true } },
    });
    const { unmount } = render(<App fetchImpl={fake.fetch} />);
    signIn('admin', 'wrong');
    expect((await screen.findByRole('alert')).textContent).toBe('The username or password is incorrect.');
    expect(loadSession()).toBeNull();
    signIn('admin', 'pässword');
    expect(await screen.findByRole('heading', { name: 'Dashboard' })).toBeTruthy();
    // UTF-8 Basic credentials, sent without cookies
    expect(fake.calls.at(-1)!.headers.authorization).toBe('Basic YWRtaW46cMOkc3N3b3Jk');
    expect(loadSession()).toEqual({ username: 'admin', authorization: 'Basic YWRtaW46cMOkc3N3b3Jk' });
    // a reload keeps the session
    unmount();
    render(<App fetchImpl={fake.fetch} />);
    expect(await screen.findByRole('heading', { name: 'Dashboard' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeTruthy();
    expect(loadSession()).toBeNull();
  });

  it('explains throttling with the Retry-After delay and blocks the button meanwhile', async () => {
    const fake = fakeFetch({
      'GET /service/rest/v1/repositories': { status: 429, json: { status: 429, message: 'too many attempts' }, headers: { 'Retry-After': '30' } },
    });
    render(<App fetchImpl={fake.fetch} />);
    signIn('admin', 'x');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/Too many sign-in attempts\. The server asks to wait (30|29) s \(Retry-After\)/);
    expect((screen.getByRole('button', { name: /Wait \d+ s/ }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('a user without the admin role is told so', async () => {
    const fake = fakeFetch({ 'GET /service/rest/v1/repositories': { status: 403, json: { status: 403, message: 'bob is not an administrator' } } });
    render(<App fetchImpl={fake.fetch} />);
    signIn('bob', 'x');
    expect((await screen.findByRole('alert')).textContent).toMatch(/bob signed in, but is not an administrator/);
  });

  it('a later 401 signs out with a message', async () => {
    let accept = true;
    const fake = fakeFetch({
      'GET /service/rest/v1/repositories': () => (accept ? { json: [] } : { status: 401, json: { status: 401, message: 'the username or password is incorrect' } }),
    });
    render(<App fetchImpl={fake.fetch} />);
    signIn('admin', 'x');
    await screen.findByText('Set up Wharf in three steps');
    accept = false;
    window.location.hash = '#/repositories';
    await waitFor(() => expect(screen.getByRole('heading', { name: 'Sign in' })).toBeTruthy());
    expect(screen.getByRole('status').textContent).toMatch(/no longer accepts your credentials/);
  });
});
