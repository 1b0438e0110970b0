import { useState } from 'react';
import { type CreateUserJson, EMAIL_ADDRESS, PASSWORD_MAX_LENGTH, type RoleJson, USER_ID, type UserJson, type UserStatus } from '@wharf/api-types';
import { useApi } from '../api/context';
import { useAction, useApiQuery } from '../api/queries';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { type EditorContext, EditDeleteButtons, InlineForm, ResourceList, useListPage } from '../components/ResourceList';
import { CheckListField, SelectField, TextField } from '../components/fields';
import { type FieldErrors, useForm } from '../components/form-kit';
import { splitList } from '../components/format';
import { EmptyState } from '../components/states';

const STATUSES: { value: UserStatus; label: string }[] = [
  { value: 'active', label: 'Active' },
  { value: 'disabled', label: 'Disabled' },
];

/** The form edits what a create sends (an edit sends it without the password). */
type UserDraft = CreateUserJson;

const ROLES_HELP = 'nx-admin may do everything; other roles grant what their privileges say.';

const USER_FIELDS = ['userId', 'firstName', 'lastName', 'emailAddress', 'password', 'status', 'roles'];

/** The server's rules (from @wharf/api-types): the user ID's grammar, a non-empty password, an optional email. */
function validateUser(draft: UserDraft, creating: boolean, existing: UserJson[]): FieldErrors {
  const errors: FieldErrors = {};
  if (creating) {
    const id = draft.userId.trim();
    if (!id) errors.userId = 'Enter a user ID.';
    else if (!USER_ID.test(id)) errors.userId = 'Up to 100 letters, digits and . _ @ + -, starting with a letter or digit.';
    else if (existing.some((u) => u.userId.toLowerCase() === id.toLowerCase())) errors.userId = 'A user with this ID exists.';
    if (draft.password === '') errors.password = 'Enter a password.';
    else if (draft.password.length > PASSWORD_MAX_LENGTH) errors.password = `At most ${PASSWORD_MAX_LENGTH} characters.`;
  }
  if (draft.emailAddress.trim() !== '' && !EMAIL_ADDRESS.test(draft.emailAddress.trim())) errors.emailAddress = 'Enter an email address, or leave it empty.';
  return errors;
}

/** Users (Nexus-shaped API): list, create, edit, change password, delete. */
export function Users() {
  const api = useApi();
  const roles = useApiQuery(['roles', 'or-none'], () => api.roles.list().catch(() => [] as RoleJson[]));
  const page = useListPage<UserJson>();
  const [password, setPassword] = useState<UserJson | null>(null);

  return (
    <ResourceList
      page={page}
      listing={api.users}
      what="User management"
      newLabel="New user"
      editor={(user, context) => <UserForm user={user} roles={roles.data ?? []} {...context} />}
      empty={<EmptyState title="No users" />}
      columns={[
        { header: 'User ID', className: 'strong', cell: (u) => u.userId },
        { header: 'Name', wide: true, cell: (u) => `${u.firstName} ${u.lastName}` },
        { header: 'Email', wide: true, className: 'small', cell: (u) => u.emailAddress },
        { header: 'Status', cell: (u) => u.status },
        { header: 'Roles', className: 'small', cell: (u) => [...u.roles, ...(u.externalRoles ?? [])].join(', ') || '—' },
      ]}
      actions={(u) => (
        <EditDeleteButtons page={page} item={u} locked={u.readOnly}>
          <button type="button" className="btn btn-small" disabled={u.readOnly} onClick={() => setPassword(u)}>
            Password
          </button>
        </EditDeleteButtons>
      )}
      deletion={(u) => ({
        title: `Delete user ${u.userId}?`,
        text: `${u.userId} can no longer sign in, push or pull. Their API tokens stop working.`,
        done: `Deleted user ${u.userId}.`,
      })}
    >
      {password && (
        <ChangePasswordDialog
          user={password}
          onCancel={() => setPassword(null)}
          onDone={() => {
            page.say(`Password of ${password.userId} changed.`);
            setPassword(null);
          }}
        />
      )}
    </ResourceList>
  );
}

function UserForm({ user, roles, list, saved, cancel }: { user: UserJson | null; roles: RoleJson[] } & EditorContext<UserJson>) {
  const api = useApi();
  const creating = user === null;
  const kit = useForm({
    initial: {
      userId: user?.userId ?? '',
      firstName: user?.firstName ?? '',
      lastName: user?.lastName ?? '',
      emailAddress: user?.emailAddress ?? '',
      password: '',
      status: user?.status ?? 'active',
      roles: user?.roles ?? [],
    },
    validate: (draft: UserDraft) => validateUser(draft, creating, list),
    toJson: (draft) => ({
      userId: draft.userId.trim(),
      firstName: draft.firstName.trim(),
      lastName: draft.lastName.trim(),
      emailAddress: draft.emailAddress.trim(),
      status: draft.status,
      roles: draft.roles,
      password: draft.password,
    }),
    save: ({ password, ...body }) => (creating ? api.users.create({ ...body, password }) : api.users.update({ ...user, ...body })),
    known: USER_FIELDS,
    onSaved: (body) => saved(creating ? `Created user ${body.userId}.` : `Saved user ${body.userId}.`),
  });
  const { form, errors, field, change } = kit;
  const setRoles = (roles: string[]) => change('roles', (d) => ({ ...d, roles }));

  return (
    <InlineForm title={creating ? 'New user' : `Edit ${user.userId}`} kit={kit} submitLabel={creating ? 'Create user' : 'Save user'} onCancel={cancel}>
      <TextField {...field('userId')} label="User ID" disabled={!creating} help="The name used to sign in and in docker login." />
      <TextField {...field('firstName')} label="First name" help="Optional." />
      <TextField {...field('lastName')} label="Last name" help="Optional." />
      <TextField {...field('emailAddress')} label="Email" type="email" help="Optional." />
      {creating && (
        <TextField {...field('password')} label="Password" type="password" autoComplete="new-password" help="Prefer a long passphrase. Change it later with “Password”." />
      )}
      <SelectField {...field('status')} label="Status" options={STATUSES} help="Disabled users cannot sign in, push or pull; their API tokens stop working." />
      {roles.length === 0 && form.roles.length === 0 ? (
        <TextField path="roles" label="Role IDs (comma-separated)" value={form.roles.join(', ')} error={errors.roles} help={ROLES_HELP} onChange={(v) => setRoles(splitList(v))} />
      ) : (
        <CheckListField path="roles" label="Roles" error={errors.roles} help={ROLES_HELP} choices={roles.map((r) => ({ value: r.id }))} chosen={form.roles} onChange={setRoles} />
      )}
    </InlineForm>
  );
}

function ChangePasswordDialog({ user, onDone, onCancel }: { user: UserJson; onDone: () => void; onCancel: () => void }) {
  const api = useApi();
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const change = useAction(() => api.changePassword(user.userId, password), onDone);
  const problem = password.length > PASSWORD_MAX_LENGTH ? `At most ${PASSWORD_MAX_LENGTH} characters.` : repeat && repeat !== password ? 'The two passwords differ.' : null;
  return (
    <ConfirmDialog
      title={`New password for ${user.userId}`}
      confirmLabel="Change password"
      busy={change.busy}
      error={change.error}
      confirmDisabled={!password || password !== repeat || problem !== null}
      onConfirm={() => change.run()}
      onCancel={onCancel}
    >
      <TextField path="new-password" label="New password" type="password" autoComplete="new-password" value={password} onChange={setPassword} />
      <TextField path="repeat-password" label="Repeat it" type="password" autoComplete="new-password" value={repeat} error={problem ?? undefined} onChange={setRepeat} />
    </ConfirmDialog>
  );
}
