import { type PrivilegeJson, ROLE_ID, type RoleJson } from '@wharf/api-types';
import { useApi } from '../api/context';
import { useApiQuery } from '../api/queries';
import { WithNote } from '../components/DataTable';
import { type EditorContext, EditDeleteButtons, InlineForm, ResourceList, useListPage } from '../components/ResourceList';
import { CheckListField, TextField } from '../components/fields';
import { type FieldErrors, useForm } from '../components/form-kit';
import { splitList } from '../components/format';
import { EmptyState } from '../components/states';

interface RoleDraft {
  id: string;
  name: string;
  description: string;
  /** Comma-separated, as typed (or as ticked). */
  privileges: string;
  roles: string;
}

const ROLE_FIELDS = ['id', 'name', 'description', 'privileges', 'roles'];

function validateRole(draft: RoleDraft, creating: boolean, existing: RoleJson[]): FieldErrors {
  const errors: FieldErrors = {};
  const id = draft.id.trim();
  if (creating && !ROLE_ID.test(id)) errors.id = 'Up to 100 letters, digits and . _ -, starting with a letter or digit.';
  else if (creating && existing.some((r) => r.id === id)) errors.id = 'A role with this ID exists.';
  if (!draft.name.trim()) errors.name = 'Enter a name.';
  if (splitList(draft.roles).includes(id)) errors.roles = 'A role cannot contain itself.';
  return errors;
}

/** Roles (Nexus-shaped API): a name, privileges and contained roles. */
export function Roles() {
  const api = useApi();
  const privileges = useApiQuery(['privileges', 'or-none'], () => api.listPrivileges().catch(() => [] as PrivilegeJson[]));
  const page = useListPage<RoleJson>();

  return (
    <ResourceList
      page={page}
      listing={api.roles}
      what="Role management"
      newLabel="New role"
      editor={(role, context) => <RoleForm role={role} privileges={privileges.data ?? []} {...context} />}
      empty={<EmptyState title="No roles" />}
      columns={[
        { header: 'ID', className: 'strong mono small', cell: (r) => r.id },
        { header: 'Name', cell: (r) => <WithNote note={r.description}>{r.name}</WithNote> },
        { header: 'Privileges', wide: true, className: 'small', cell: (r) => r.privileges.join(', ') || '—' },
        { header: 'Contains', wide: true, className: 'small', cell: (r) => r.roles.join(', ') || '—' },
      ]}
      actions={(r) => <EditDeleteButtons page={page} item={r} locked={r.readOnly} editLocked={r.readOnly || (r.source !== undefined && r.source !== 'default')} />}
      deletion={(r) => ({
        title: `Delete role ${r.id}?`,
        text: 'Users that have this role lose the privileges it grants.',
        done: `Deleted role ${r.id}.`,
      })}
    />
  );
}

function RoleForm({ role, privileges: available, list, saved, cancel }: { role: RoleJson | null; privileges: PrivilegeJson[] } & EditorContext<RoleJson>) {
  const api = useApi();
  const creating = role === null;
  const kit = useForm({
    initial: {
      id: role?.id ?? '',
      name: role?.name ?? '',
      description: role?.description ?? '',
      privileges: (role?.privileges ?? []).join(', '),
      roles: (role?.roles ?? []).join(', '),
    },
    validate: (draft: RoleDraft) => validateRole(draft, creating, list),
    toJson: (draft): RoleJson => ({
      id: draft.id.trim(),
      name: draft.name.trim(),
      description: draft.description.trim(),
      privileges: splitList(draft.privileges),
      roles: splitList(draft.roles),
    }),
    save: (body) => (creating ? api.roles.create(body) : api.roles.update(body)),
    known: ROLE_FIELDS,
    onSaved: (body) => saved(`Saved role ${body.id}.`),
  });
  const { form, errors, field, change } = kit;

  return (
    <InlineForm title={creating ? 'New role' : `Edit role ${role.id}`} kit={kit} submitLabel={creating ? 'Create role' : 'Save role'} onCancel={cancel}>
      <TextField {...field('id')} label="Role ID" disabled={!creating} help="Stable identifier, e.g. docker-developers." />
      <TextField {...field('name')} label="Name" />
      <TextField {...field('description')} label="Description" />
      {available.length > 0 ? (
        <CheckListField
          path="privileges"
          label="Privileges"
          error={errors.privileges}
          wide
          choices={available.map((p) => ({ value: p.name, description: p.description }))}
          chosen={splitList(form.privileges)}
          onChange={(next) => change('privileges', (d) => ({ ...d, privileges: next.join(', ') }))}
        />
      ) : (
        <TextField {...field('privileges')} label="Privileges" help="Comma-separated privilege IDs, e.g. nx-repository-view-docker-docker-hosted-read." />
      )}
      <TextField {...field('roles')} label="Contained roles" help="Comma-separated role IDs whose privileges this role includes." />
    </InlineForm>
  );
}
