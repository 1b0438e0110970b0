import { type FormEvent, useState } from 'react';
import type { RoleJson, UserJson, UserStatus } from '@wharf/api-types';
import { useApi } from '../api/context';
import { ApiError, describeError } from '../api/errors';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Fieldset, SelectField, TextField } from '../components/fields';
import { AsyncView, EmptyState, NotAvailable, isNotFound, Notice } from '../components/states';
import { useAsync } from '../components/useAsync';

const STATUSES: { value: UserStatus; label: string }[] = [
  { value: 'active', label: 'Active' },
  { value: 'disabled', label: 'Disabled' },
];

type Errors = Record<string, string>;

function fieldErrors(err: unknown): { fields: Errors; general: string | null } {
  if (err instanceof ApiError && err.fields.length > 0) {
    const fields: Errors = {};
    const rest: string[] = [];
    for (const f of err.fields) {
      if (f.id && f.id !== '*') fields[f.id] = f.message;
      else rest.push(f.message);
    }
    return { fields, general: rest.length ? rest.join(' ') : null };
  }
  return { fields: {}, general: describeError(err) };
}

interface UserDraft {
  userId: string;
  firstName: string;
  lastName: string;
  emailAddress: string;
  password: string;
  status: UserStatus;
  roles: string[];
}

/** The server's rules: user IDs as in USER_ID, a non-empty password, an optional well-formed email. */
export const USER_ID = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$/;

function validateUser(draft: UserDraft, creating: boolean, existing: UserJson[]): Errors {
  const errors: Errors = {};
  if (creating) {
    const id = draft.userId.trim();
    if (!id) errors.userId = 'Enter a user ID.';
    else if (!USER_ID.test(id)) errors.userId = 'Up to 100 letters, digits and . _ @ + -, starting with a letter or digit.';
    else if (existing.some((u) => u.userId.toLowerCase() === id.toLowerCase())) errors.userId = 'A user with this ID exists.';
    if (draft.password === '') errors.password = 'Enter a password.';
    else if (draft.password.length > 1024) errors.password = 'At most 1024 characters.';
  }
  if (draft.emailAddress.trim() !== '' && !/^[^@\s]+@[^@\s]+$/.test(draft.emailAddress.trim())) errors.emailAddress = 'Enter an email address, or leave it empty.';
  return errors;
}

/** Users (Nexus-shaped API): list, create, edit, change password, delete. */
export function Users() {
  const api = useApi();
  const users = useAsync(() => api.listUsers(), [api]);
  const roles = useAsync(() => api.listRoles().catch(() => [] as RoleJson[]), [api]);
  const [editing, setEditing] = useState<UserJson | 'new' | null>(null);
  const [password, setPassword] = useState<UserJson | null>(null);
  const [deleting, setDeleting] = useState<UserJson | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  if (isNotFound(users.error)) return <NotAvailable what="User management" endpoint="GET /service/rest/v1/security/users" />;
  return (
    <>
      <Notice text={notice} />
      <AsyncView state={users}>
        {(list) => (
          <>
            <div className="toolbar">
              <button type="button" className="btn btn-primary" onClick={() => setEditing('new')} disabled={editing !== null}>
                New user
              </button>
            </div>
            {editing && (
              <UserForm
                user={editing === 'new' ? null : editing}
                existing={list}
                roles={roles.data ?? []}
                onCancel={() => setEditing(null)}
                onSaved={(id) => {
                  setNotice(editing === 'new' ? `Created user ${id}.` : `Saved user ${id}.`);
                  setEditing(null);
                  users.reload();
                }}
              />
            )}
            {list.length === 0 ? (
              <EmptyState title="No users" />
            ) : (
              <div className="table-wrap">
                <table className="table table-stack">
                  <thead>
                    <tr>
                      <th scope="col">User ID</th>
                      <th scope="col" className="hide-narrow">
                        Name
                      </th>
                      <th scope="col" className="hide-narrow">
                        Email
                      </th>
                      <th scope="col">Status</th>
                      <th scope="col">Roles</th>
                      <th scope="col">
                        <span className="sr-only">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.map((u) => (
                      <tr key={u.userId}>
                        <td data-label="User ID" className="strong">{u.userId}</td>
                        <td data-label="Name" className="hide-narrow">
                          {u.firstName} {u.lastName}
                        </td>
                        <td data-label="Email" className="hide-narrow small">{u.emailAddress}</td>
                        <td data-label="Status">{u.status}</td>
                        <td data-label="Roles" className="small">{[...u.roles, ...(u.externalRoles ?? [])].join(', ') || '—'}</td>
                        <td className="actions-cell">
                          <button type="button" className="btn btn-small" disabled={u.readOnly} onClick={() => setEditing(u)}>
                            Edit
                          </button>
                          <button type="button" className="btn btn-small" disabled={u.readOnly} onClick={() => setPassword(u)}>
                            Password
                          </button>
                          <button type="button" className="btn btn-small btn-danger-quiet" disabled={u.readOnly} onClick={() => setDeleting(u)}>
                            Delete
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
      {password && <ChangePasswordDialog user={password} onCancel={() => setPassword(null)} onDone={() => (setNotice(`Password of ${password.userId} changed.`), setPassword(null))} />}
      {deleting && (
        <DeleteDialog
          title={`Delete user ${deleting.userId}?`}
          text={`${deleting.userId} can no longer sign in, push or pull. Their API tokens stop working.`}
          run={() => api.deleteUser(deleting.userId)}
          onCancel={() => setDeleting(null)}
          onDone={() => {
            setNotice(`Deleted user ${deleting.userId}.`);
            setDeleting(null);
            users.reload();
          }}
        />
      )}
    </>
  );
}

function UserForm({
  user,
  existing,
  roles,
  onSaved,
  onCancel,
}: {
  user: UserJson | null;
  existing: UserJson[];
  roles: RoleJson[];
  onSaved: (userId: string) => void;
  onCancel: () => void;
}) {
  const api = useApi();
  const creating = user === null;
  const [draft, setDraft] = useState<UserDraft>(() => ({
    userId: user?.userId ?? '',
    firstName: user?.firstName ?? '',
    lastName: user?.lastName ?? '',
    emailAddress: user?.emailAddress ?? '',
    password: '',
    status: user?.status ?? 'active',
    roles: user?.roles ?? [],
  }));
  const [errors, setErrors] = useState<Errors>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof UserDraft>(key: K, value: UserDraft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    setErrors((e) => {
      const { [key]: _drop, ...rest } = e;
      return rest;
    });
  };
  const roleIds = [...new Set([...roles.map((r) => r.id), ...draft.roles])];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const found = validateUser(draft, creating, existing);
    setErrors(found);
    setGeneral(null);
    if (Object.keys(found).length) return;
    setBusy(true);
    try {
      const base = { userId: draft.userId.trim(), firstName: draft.firstName.trim(), lastName: draft.lastName.trim(), emailAddress: draft.emailAddress.trim(), status: draft.status, roles: draft.roles };
      if (creating) await api.createUser({ ...base, password: draft.password });
      else await api.updateUser({ ...user, ...base });
      onSaved(base.userId);
    } catch (err) {
      const mapped = fieldErrors(err);
      setErrors(mapped.fields);
      setGeneral(mapped.general);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} noValidate aria-label={creating ? 'New user' : `Edit ${user.userId}`}>
      <Fieldset legend={creating ? 'New user' : `Edit ${user.userId}`}>
        {general && (
          <p className="form-error" role="alert">
            {general}
          </p>
        )}
        <TextField path="userId" label="User ID" value={draft.userId} disabled={!creating} error={errors.userId} help="The name used to sign in and in docker login." onChange={(v) => set('userId', v)} />
        <TextField path="firstName" label="First name" value={draft.firstName} error={errors.firstName} help="Optional." onChange={(v) => set('firstName', v)} />
        <TextField path="lastName" label="Last name" value={draft.lastName} error={errors.lastName} help="Optional." onChange={(v) => set('lastName', v)} />
        <TextField path="emailAddress" label="Email" type="email" value={draft.emailAddress} error={errors.emailAddress} help="Optional." onChange={(v) => set('emailAddress', v)} />
        {creating && (
          <TextField
            path="password"
            label="Password"
            type="password"
            autoComplete="new-password"
            value={draft.password}
            error={errors.password}
            help="Prefer a long passphrase. Change it later with “Password”."
            onChange={(v) => set('password', v)}
          />
        )}
        <SelectField path="status" label="Status" value={draft.status} options={STATUSES} error={errors.status} help="Disabled users cannot sign in, push or pull; their API tokens stop working." onChange={(v) => set('status', v)} />
        <div className="field" role="group" aria-labelledby="roles-label">
          <p className="label" id="roles-label">
            Roles
          </p>
          {roleIds.length === 0 ? (
            <TextField path="roles" label="Role IDs (comma-separated)" value={draft.roles.join(', ')} error={errors.roles} onChange={(v) => set('roles', v.split(',').map((s) => s.trim()).filter(Boolean))} />
          ) : (
            <div className="check-grid">
              {roleIds.map((id) => (
                <label key={id} className="check-row">
                  <input
                    type="checkbox"
                    checked={draft.roles.includes(id)}
                    onChange={(e) => set('roles', e.target.checked ? [...draft.roles, id] : draft.roles.filter((r) => r !== id))}
                  />
                  {id}
                </label>
              ))}
            </div>
          )}
          <p className="help">nx-admin may do everything; other roles grant what their privileges say.</p>
          {errors.roles && <p className="field-error">{errors.roles}</p>}
        </div>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Saving…' : creating ? 'Create user' : 'Save user'}
          </button>
          <button type="button" className="btn" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
        </div>
      </Fieldset>
    </form>
  );
}

function ChangePasswordDialog({ user, onDone, onCancel }: { user: UserJson; onDone: () => void; onCancel: () => void }) {
  const api = useApi();
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const problem = password.length > 1024 ? 'At most 1024 characters.' : repeat && repeat !== password ? 'The two passwords differ.' : null;
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.changePassword(user.userId, password);
      onDone();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <ConfirmDialog
      title={`New password for ${user.userId}`}
      confirmLabel="Change password"
      busy={busy}
      error={error}
      confirmDisabled={!password || password !== repeat || problem !== null}
      onConfirm={() => void confirm()}
      onCancel={onCancel}
    >
      <TextField path="new-password" label="New password" type="password" autoComplete="new-password" value={password} onChange={setPassword} />
      <TextField path="repeat-password" label="Repeat it" type="password" autoComplete="new-password" value={repeat} error={problem ?? undefined} onChange={setRepeat} />
    </ConfirmDialog>
  );
}

/** A confirmation that runs one call. */
export function DeleteDialog({ title, text, run, onDone, onCancel }: { title: string; text: string; run: () => Promise<void>; onDone: () => void; onCancel: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await run();
      onDone();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <ConfirmDialog title={title} confirmLabel="Delete" danger busy={busy} error={error} onConfirm={() => void confirm()} onCancel={onCancel}>
      <p>{text}</p>
    </ConfirmDialog>
  );
}
