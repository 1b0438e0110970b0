import { type FormEvent, useState } from 'react';
import type { PrivilegeJson, RoleJson } from '@wharf/api-types';
import { useApi } from '../api/context';
import { ApiError, describeError } from '../api/errors';
import { Fieldset, TextField } from '../components/fields';
import { AsyncView, EmptyState, NotAvailable, isNotFound, Notice } from '../components/states';
import { useAsync } from '../components/useAsync';
import { DeleteDialog } from './Users';

const splitList = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Roles (Nexus-shaped API): a name, privileges and contained roles. */
export function Roles() {
  const api = useApi();
  const roles = useAsync(() => api.listRoles(), [api]);
  const privileges = useAsync(() => api.listPrivileges().catch(() => [] as PrivilegeJson[]), [api]);
  const [editing, setEditing] = useState<RoleJson | 'new' | null>(null);
  const [deleting, setDeleting] = useState<RoleJson | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  if (isNotFound(roles.error)) return <NotAvailable what="Role management" endpoint="GET /service/rest/v1/security/roles" />;
  return (
    <>
      <Notice text={notice} />
      <AsyncView state={roles}>
        {(list) => (
          <>
            <div className="toolbar">
              <button type="button" className="btn btn-primary" onClick={() => setEditing('new')} disabled={editing !== null}>
                New role
              </button>
            </div>
            {editing && (
              <RoleForm
                role={editing === 'new' ? null : editing}
                existing={list}
                privileges={privileges.data ?? []}
                onCancel={() => setEditing(null)}
                onSaved={(id) => {
                  setNotice(`Saved role ${id}.`);
                  setEditing(null);
                  roles.reload();
                }}
              />
            )}
            {list.length === 0 ? (
              <EmptyState title="No roles" />
            ) : (
              <div className="table-wrap">
                <table className="table table-stack">
                  <thead>
                    <tr>
                      <th scope="col">ID</th>
                      <th scope="col">Name</th>
                      <th scope="col" className="hide-narrow">
                        Privileges
                      </th>
                      <th scope="col" className="hide-narrow">
                        Contains
                      </th>
                      <th scope="col">
                        <span className="sr-only">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.map((r) => (
                      <tr key={r.id}>
                        <td data-label="ID" className="strong mono small">{r.id}</td>
                        <td data-label="Name">
                          {r.name}
                          {r.description && <div className="muted small">{r.description}</div>}
                        </td>
                        <td data-label="Privileges" className="hide-narrow small">{r.privileges.join(', ') || '—'}</td>
                        <td data-label="Contains" className="hide-narrow small">{r.roles.join(', ') || '—'}</td>
                        <td className="actions-cell">
                          <button type="button" className="btn btn-small" disabled={r.readOnly || (r.source !== undefined && r.source !== 'default')} onClick={() => setEditing(r)}>
                            Edit
                          </button>
                          <button type="button" className="btn btn-small btn-danger-quiet" disabled={r.readOnly} onClick={() => setDeleting(r)}>
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
      {deleting && (
        <DeleteDialog
          title={`Delete role ${deleting.id}?`}
          text="Users that have this role lose the privileges it grants."
          run={() => api.deleteRole(deleting.id)}
          onCancel={() => setDeleting(null)}
          onDone={() => {
            setNotice(`Deleted role ${deleting.id}.`);
            setDeleting(null);
            roles.reload();
          }}
        />
      )}
    </>
  );
}

function RoleForm({
  role,
  existing,
  privileges: available,
  onSaved,
  onCancel,
}: {
  role: RoleJson | null;
  existing: RoleJson[];
  privileges: PrivilegeJson[];
  onSaved: (id: string) => void;
  onCancel: () => void;
}) {
  const api = useApi();
  const creating = role === null;
  const [id, setId] = useState(role?.id ?? '');
  const [name, setName] = useState(role?.name ?? '');
  const [description, setDescription] = useState(role?.description ?? '');
  const [privileges, setPrivileges] = useState((role?.privileges ?? []).join(', '));
  const [contained, setContained] = useState((role?.roles ?? []).join(', '));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const found: Record<string, string> = {};
    if (creating && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(id.trim())) found.id = 'Up to 100 letters, digits and . _ -, starting with a letter or digit.';
    else if (creating && existing.some((r) => r.id === id.trim())) found.id = 'A role with this ID exists.';
    if (!name.trim()) found.name = 'Enter a name.';
    if (splitList(contained).includes(id.trim())) found.roles = 'A role cannot contain itself.';
    setErrors(found);
    setGeneral(null);
    if (Object.keys(found).length) return;
    setBusy(true);
    const body: RoleJson = { id: id.trim(), name: name.trim(), description: description.trim(), privileges: splitList(privileges), roles: splitList(contained) };
    try {
      if (creating) await api.createRole(body);
      else await api.updateRole(body);
      onSaved(body.id);
    } catch (err) {
      if (err instanceof ApiError && err.fields.length) {
        setErrors(Object.fromEntries(err.fields.filter((f) => f.id !== '*').map((f) => [f.id, f.message])));
        setGeneral(err.fields.filter((f) => f.id === '*').map((f) => f.message).join(' ') || null);
      } else setGeneral(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} noValidate aria-label={creating ? 'New role' : `Edit role ${role.id}`}>
      <Fieldset legend={creating ? 'New role' : `Edit role ${role.id}`}>
        {general && (
          <p className="form-error" role="alert">
            {general}
          </p>
        )}
        <TextField path="id" label="Role ID" value={id} disabled={!creating} error={errors.id} help="Stable identifier, e.g. docker-developers." onChange={setId} />
        <TextField path="name" label="Name" value={name} error={errors.name} onChange={setName} />
        <TextField path="description" label="Description" value={description} error={errors.description} onChange={setDescription} />
        {available.length > 0 ? (
          <div className="field" role="group" aria-labelledby="privileges-label">
            <p className="label" id="privileges-label">
              Privileges
            </p>
            <div className="check-grid check-grid-wide">
              {[...available.map((p) => p.name), ...splitList(privileges).filter((n) => !available.some((p) => p.name === n))].map((name) => {
                const info = available.find((p) => p.name === name);
                const chosen = splitList(privileges).includes(name);
                return (
                  <label key={name} className="check-row" title={info?.description}>
                    <input
                      type="checkbox"
                      checked={chosen}
                      onChange={(e) => {
                        const current = splitList(privileges);
                        setPrivileges((e.target.checked ? [...current, name] : current.filter((n) => n !== name)).join(', '));
                      }}
                    />
                    <span>
                      <span className="mono small">{name}</span>
                      {info?.description && <span className="help">{info.description}</span>}
                    </span>
                  </label>
                );
              })}
            </div>
            {errors.privileges && <p className="field-error">{errors.privileges}</p>}
          </div>
        ) : (
          <TextField
            path="privileges"
            label="Privileges"
            value={privileges}
            error={errors.privileges}
            help="Comma-separated privilege IDs, e.g. nx-repository-view-docker-docker-hosted-read."
            onChange={setPrivileges}
          />
        )}
        <TextField path="roles" label="Contained roles" value={contained} error={errors.roles} help="Comma-separated role IDs whose privileges this role includes." onChange={setContained} />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Saving…' : creating ? 'Create role' : 'Save role'}
          </button>
          <button type="button" className="btn" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
        </div>
      </Fieldset>
    </form>
  );
}
