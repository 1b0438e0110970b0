import { Notice } from '../components/states';
import { type FormEvent, useEffect, useState } from 'react';
import { ApiClient, basicAuthorization, type Credentials } from '../api/client';
import { isApiError } from '../api/errors';

type Problem = { kind: 'credentials' } | { kind: 'forbidden'; username: string } | { kind: 'throttled'; until: number | null } | { kind: 'other'; message: string };

/**
 * Sign-in: the credentials are checked with `GET /service/rest/v1/repositories`, the call every page needs.
 */
export function SignIn({
  onSignedIn,
  notice,
  fetchImpl,
}: {
  onSignedIn: (credentials: Credentials) => void;
  notice?: string | null;
  fetchImpl?: typeof fetch;
}) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [now, setNow] = useState(() => Date.now());

  const throttledFor = problem?.kind === 'throttled' && problem.until !== null ? Math.max(0, Math.ceil((problem.until - now) / 1000)) : 0;
  useEffect(() => {
    if (problem?.kind !== 'throttled' || problem.until === null) return;
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [problem]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!username || !password || busy || throttledFor > 0) return;
    setBusy(true);
    setProblem(null);
    const credentials = { username, authorization: basicAuthorization(username, password) };
    try {
      await new ApiClient({ credentials, ...(fetchImpl ? { fetch: fetchImpl } : {}) }).listRepositories();
      onSignedIn(credentials);
    } catch (err) {
      setProblem(problemOf(err, username));
      setNow(Date.now());
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <form className="card signin-card" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="signin-title">
        <div className="brand brand-large" aria-hidden="true">
          <span className="brand-mark" />
          Wharf
        </div>
        <h1 id="signin-title">Sign in</h1>
        <p className="muted">Administrators of this Wharf server manage repositories, browse images and security here.</p>
        <Notice text={!problem ? notice : null} />
        <div className="field">
          <label htmlFor="signin-username">Username</label>
          {/* eslint-disable-next-line jsx-a11y/no-autofocus -- the page's one task starts here; nothing precedes it to skip */}
          <input id="signin-username" name="username" autoComplete="username" autoFocus value={username} onChange={(e) => setUsername(e.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor="signin-password">Password</label>
          <input
            id="signin-password"
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </div>
        {problem && <ProblemMessage problem={problem} seconds={throttledFor} />}
        <button type="submit" className="btn btn-primary btn-block" disabled={busy || !username || !password || throttledFor > 0}>
          {busy ? 'Signing in…' : throttledFor > 0 ? `Wait ${throttledFor} s` : 'Sign in'}
        </button>
        <p className="help">
          First start? The password of <code>admin</code> is in <code>WHARF_ADMIN_PASSWORD</code>, or in <code>admin.password</code> in the data
          directory.
        </p>
      </form>
    </main>
  );
}

function problemOf(err: unknown, username: string): Problem {
  if (!isApiError(err)) return { kind: 'other', message: String(err) };
  switch (err.kind) {
    case 'unauthorized':
      return { kind: 'credentials' };
    case 'forbidden':
      return { kind: 'forbidden', username };
    case 'throttled':
      return { kind: 'throttled', until: err.retryAfter !== null ? Date.now() + err.retryAfter * 1000 : null };
    case 'network':
      return { kind: 'other', message: 'The Wharf server did not answer. Check that it is running, then try again.' };
    case 'not-found':
    case 'validation':
    case 'server':
    case 'other':
      return { kind: 'other', message: err.message };
  }
}

function ProblemMessage({ problem, seconds }: { problem: Problem; seconds: number }) {
  let text: string;
  switch (problem.kind) {
    case 'credentials':
      text = 'The username or password is incorrect.';
      break;
    case 'forbidden':
      text = `${problem.username} signed in, but is not an administrator. The admin UI needs a user with the nx-admin role.`;
      break;
    case 'throttled':
      text =
        problem.until === null
          ? 'Too many sign-in attempts. Wait a moment before trying again.'
          : seconds > 0
            ? `Too many sign-in attempts. The server asks to wait ${seconds} s (Retry-After) before trying again.`
            : 'You can try again now.';
      break;
    case 'other':
      text = problem.message;
      break;
  }
  return (
    <p className="form-error" role="alert">
      {text}
    </p>
  );
}
