import { type FormEvent, useState } from 'react';
import type { ApiTokenJson, CreatedApiTokenJson } from '@wharf/api-types';
import { useApi } from '../api/context';
import { ApiError, describeError } from '../api/errors';
import { CopyBlock } from '../components/CopyButton';
import { Fieldset, SelectField, TextField } from '../components/fields';
import { AsyncView, EmptyState, NotAvailable, isNotFound, Notice } from '../components/states';
import { Time } from '../components/ui';
import { useAsync } from '../components/useAsync';
import { DeleteDialog } from './Users';

type Expiry = '30' | '90' | '365' | 'never';
const EXPIRIES: { value: Expiry; label: string }[] = [
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year' },
  { value: 'never', label: 'Never' },
];

/** API tokens for scripts and CI: `Authorization: Bearer <token>` on the REST API. The secret is shown once. */
export function ApiTokens() {
  const api = useApi();
  const tokens = useAsync(() => api.listApiTokens(), [api]);
  const [created, setCreated] = useState<CreatedApiTokenJson | null>(null);
  const [deleting, setDeleting] = useState<ApiTokenJson | null>(null);
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  if (isNotFound(tokens.error)) return <NotAvailable what="API tokens" endpoint="GET /service/rest/v1/security/api-tokens" />;
  return (
    <>
      <Notice text={notice} />
      {created && (
        <div className="card callout callout-ok" role="status">
          <h2>Token “{created.name}” created</h2>
          <p>Copy it now: Wharf stores only a hash and cannot show it again.</p>
          <CopyBlock text={created.token} label="API token" />
          <p className="help">
            Use it as <code>Authorization: Bearer &lt;token&gt;</code> with the REST API.
          </p>
          <button type="button" className="btn" onClick={() => setCreated(null)}>
            I have copied it
          </button>
        </div>
      )}
      <AsyncView state={tokens}>
        {(list) => (
          <>
            <div className="toolbar">
              <button type="button" className="btn btn-primary" onClick={() => setCreating(true)} disabled={creating}>
                New token
              </button>
            </div>
            {creating && (
              <TokenForm
                onCancel={() => setCreating(false)}
                onCreated={(token) => {
                  setCreating(false);
                  setCreated(token);
                  tokens.reload();
                }}
              />
            )}
            {list.length === 0 ? (
              <EmptyState title="No API tokens">Create one for each script or CI job, so each can be revoked on its own.</EmptyState>
            ) : (
              <div className="table-wrap">
                <table className="table table-stack">
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col" className="hide-narrow">
                        Created
                      </th>
                      <th scope="col">Expires</th>
                      <th scope="col" className="hide-narrow">
                        Last used
                      </th>
                      <th scope="col">
                        <span className="sr-only">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.map((t) => (
                      <tr key={t.id}>
                        <td data-label="Name" className="strong">
                          {t.name}
                          {t.userId && <div className="muted small">{t.userId}</div>}
                        </td>
                        <td data-label="Created" className="hide-narrow">
                          <Time iso={t.createdAt} />
                        </td>
                        <td data-label="Expires">
                          <Time iso={t.expiresAt} empty="never" />
                        </td>
                        <td data-label="Last used" className="hide-narrow">
                          <Time iso={t.lastUsedAt} empty="never" />
                        </td>
                        <td className="actions-cell">
                          <button type="button" className="btn btn-small btn-danger-quiet" onClick={() => setDeleting(t)}>
                            Revoke
                          </button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </>
        )}
      </AsyncView>
      {deleting && (
        <DeleteDialog
          title={`Revoke token ${deleting.name}?`}
          text="Scripts that use it get 401 from now on."
          run={() => api.deleteApiToken(deleting.id)}
          onCancel={() => setDeleting(null)}
          onDone={() => {
            setNotice(`Revoked ${deleting.name}.`);
            setDeleting(null);
            tokens.reload();
          }}
        />
      )}
    </>
  );
}

function TokenForm({ onCreated, onCancel }: { onCreated: (token: CreatedApiTokenJson) => void; onCancel: () => void }) {
  const api = useApi();
  const [name, setName] = useState('');
  const [expiry, setExpiry] = useState<Expiry>('90');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) {
      setErrors({ name: 'Name the token after what uses it, e.g. ci-deploy.' });
      return;
    }
    setBusy(true);
    setErrors({});
    setGeneral(null);
    try {
      const expiresAt = expiry === 'never' ? null : new Date(Date.now() + Number(expiry) * 86_400_000).toISOString();
      onCreated(await api.createApiToken({ name: name.trim(), expiresAt }));
    } catch (err) {
      if (err instanceof ApiError && err.fields.length) setErrors(Object.fromEntries(err.fields.map((f) => [f.id === '*' ? 'name' : f.id, f.message])));
      else setGeneral(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} noValidate aria-label="New API token">
      <Fieldset legend="New API token">
        {general && (
          <p className="form-error" role="alert">
            {general}
          </p>
        )}
        <TextField path="name" label="Name" value={name} error={errors.name} help="What uses the token, so you know which one to revoke." onChange={setName} />
        <SelectField path="expiresAt" label="Expires after" value={expiry} options={EXPIRIES} error={errors.expiresAt} help="Short-lived tokens limit the damage of a leak." onChange={setExpiry} />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create token'}
          </button>
          <button type="button" className="btn" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
        </div>
      </Fieldset>
    </form>
  );
}
