import { useState } from 'react';
import type { GroupRepositoryJson } from '@wharf/api-types';
import { Field, Fieldset } from '../components/fields';
import { FormActions, FormErrors } from '../components/form-kit';
import { TypeBadge } from '../components/ui';
import { CleanupSection, DockerSection, GeneralSection, StorageSection, type RepositoryFormProps, useRepositoryForm } from './sections';
import { type GroupForm as GroupFormState, groupToJson } from './model';
import { GROUP_FIELDS, validateGroup } from './validation';

/** Create or edit a group repository: one endpoint serving its members, asked in order. */
export function GroupForm(props: RepositoryFormProps<GroupFormState, GroupRepositoryJson>) {
  const { context, onCancel } = props;
  const { form, errors, general, busy, change, submit, formRef } = useRepositoryForm(props, validateGroup, groupToJson, GROUP_FIELDS);
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
  const move = (i: number, by: number) =>
    setMembers((list) => {
      const next = [...list];
      const [item] = next.splice(i, 1);
      next.splice(i + by, 0, item!);
      return next;
    });

  return (
    <form className="repo-form" onSubmit={submit} noValidate ref={formRef} aria-label="Group repository">
      <FormErrors errors={errors} general={general} />
      <GeneralSection form={form} errors={errors} change={change} mode={context.mode} placeholder="docker-group" />

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
                    <span className="row-buttons">
                      <button type="button" className="btn btn-icon" aria-label={`Move ${name} up`} disabled={i === 0} onClick={() => move(i, -1)}>
                        ↑
                      </button>
                      <button
                        type="button"
                        className="btn btn-icon"
                        aria-label={`Move ${name} down`}
                        disabled={i === form.memberNames.length - 1}
                        onClick={() => move(i, 1)}
                      >
                        ↓
                      </button>
                      <button type="button" className="btn btn-icon" aria-label={`Remove ${name}`} onClick={() => setMembers((list) => list.filter((m) => m !== name))}>
                        ✕
                      </button>
                    </span>
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

      <StorageSection form={form} errors={errors} change={change} />
      <DockerSection
        form={form}
        errors={errors}
        change={change}
        portHint='Optional port serving the group at the root: the address Docker daemons use in "registry-mirrors" and "insecure-registries" (e.g. 8181).'
      />
      <CleanupSection form={form} errors={errors} change={change} />
      <FormActions busy={busy} submitLabel={context.mode === 'create' ? 'Create group repository' : 'Save changes'} onCancel={onCancel} />
    </form>
  );
}
