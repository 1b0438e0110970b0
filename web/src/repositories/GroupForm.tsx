import { useState } from 'react';
import type { GroupRepositoryJson } from '@wharf/api-types';
import { Field, Fieldset } from '../components/fields';
import { OrderButtons, moved } from '../components/OrderButtons';
import { TypeBadge } from '../components/ui';
import { type RepositoryFormProps, RepositoryFormFrame, useRepositoryForm } from './sections';
import { type GroupForm as GroupFormState, groupToJson } from './model';
import { GROUP_FIELDS, validateGroup } from './validation';

const PORT_HINT =
  'Optional port serving the group at the root: the address Docker daemons use in "registry-mirrors" and "insecure-registries" (e.g. 8181).';

/** Create or edit a group repository: one endpoint serving its members, asked in order. */
export function GroupForm(props: RepositoryFormProps<GroupFormState, GroupRepositoryJson>) {
  const { context, onCancel } = props;
  const kit = useRepositoryForm(props, validateGroup, groupToJson, GROUP_FIELDS);
  const { form, errors, change } = kit;
  const [candidate, setCandidate] = useState('');
  const byName = new Map(context.repositories.map((r) => [r.name, r]));
  const candidates = context.repositories.filter((r) => r.name !== form.name.trim() && !form.memberNames.includes(r.name));
  const chosen = candidate && candidates.some((c) => c.name === candidate) ? candidate : (candidates[0]?.name ?? '');
  const hostedMembers = form.memberNames.filter((m) => byName.get(m)?.type === 'hosted');

  const members = 'group.memberNames';
  const setMembers = (next: (list: string[]) => string[]) =>
    change([members, 'group.writableMember'], (f) => {
      const memberNames = next(f.memberNames);
      return { ...f, memberNames, writableMember: memberNames.includes(f.writableMember) ? f.writableMember : '' };
    });
  return (
    <RepositoryFormFrame kit={kit} type="group" mode={context.mode} onCancel={onCancel} placeholder="docker-group" portHint={PORT_HINT}>

      <Fieldset legend="Members" description="A pull asks the members in this order and answers with the first that has the image.">
        <div className={`field${errors[members] ? ' field-invalid' : ''}`} role="group" aria-labelledby="members-title">
          <p className="label" id="members-title">
            Member repositories, in order
          </p>
          {form.memberNames.length === 0 ? (
            <p className="muted">No members yet. Add a hosted repository first (for pushes), then proxies.</p>
          ) : (
            <ol className="member-list" aria-label="Members in order">
              {form.memberNames.map((name, i) => {
                const repo = byName.get(name);
                return (
                  <li key={name} className="member-row">
                    <span className="member-pos">{i + 1}</span>
                    <span className="member-name">{name}</span>
                    {repo ? <TypeBadge type={repo.type} /> : <span className="pill pill-bad">missing</span>}
                    <OrderButtons
                      index={i}
                      count={form.memberNames.length}
                      name={name}
                      onMove={(by) => setMembers((list) => moved(list, i, by))}
                      onRemove={() => setMembers((list) => list.filter((m) => m !== name))}
                    />
                  </li>
                );
              })}
            </ol>
          )}
          {errors[members] && (
            <p className="field-error" id="f-group-memberNames-error">
              {errors[members]}
            </p>
          )}
          <div className="add-member">
            <label htmlFor="f-group-memberNames" className="sr-only">
              Repository to add
            </label>
            <select
              id="f-group-memberNames"
              value={chosen}
              disabled={candidates.length === 0}
              aria-invalid={!!errors[members]}
              aria-describedby={errors[members] ? 'f-group-memberNames-error' : undefined}
              onChange={(e) => setCandidate(e.target.value)}
            >
              {candidates.length === 0 && <option value="">no other repositories</option>}
              {candidates.map((c) => (
                <option key={c.name} value={c.name}>
                  {c.name} ({c.type})
                </option>
              ))}
            </select>
            <button
              type="button"
              className="btn btn-small"
              disabled={!chosen}
              onClick={() => {
                setMembers((list) => [...list, chosen]);
                setCandidate('');
              }}
            >
              Add member
            </button>
          </div>
        </div>
        <Field
          path="group.writableMember"
          label="Writable member"
          error={errors['group.writableMember']}
          help="The hosted member that receives pushes sent to the group. None: pushes to the group are refused."
        >
          {(props) => (
            <select {...props} value={form.writableMember} onChange={(e) => change('group.writableMember', (f) => ({ ...f, writableMember: e.target.value }))}>
              <option value="">None (read-only group)</option>
              {hostedMembers.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
              {form.writableMember !== '' && !hostedMembers.includes(form.writableMember) && <option value={form.writableMember}>{form.writableMember}</option>}
            </select>
          )}
        </Field>
      </Fieldset>

    </RepositoryFormFrame>
  );
}
