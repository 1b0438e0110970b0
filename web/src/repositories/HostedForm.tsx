import type { HostedRepositoryJson, WritePolicy } from '@wharf/api-types';
import { FormActions, FormErrors } from '../components/form-kit';
import { CheckboxField, SelectField } from '../components/fields';
import { CleanupSection, DockerSection, GeneralSection, StorageSection, type RepositoryFormProps, useRepositoryForm } from './sections';
import { type HostedForm as HostedFormState, hostedToJson } from './model';
import { HOSTED_FIELDS, validateHosted } from './validation';

const WRITE_POLICIES: { value: WritePolicy; label: string }[] = [
  { value: 'ALLOW', label: 'Allow redeploy (tags can be pushed again)' },
  { value: 'ALLOW_ONCE', label: 'Disable redeploy (a tag is pushed once)' },
  { value: 'DENY', label: 'Read-only (pushes are refused)' },
];

/** Create or edit a hosted repository: the one you `docker push` to. */
export function HostedForm(props: RepositoryFormProps<HostedFormState, HostedRepositoryJson>) {
  const { context, onCancel } = props;
  const { form, errors, general, busy, change, submit, formRef } = useRepositoryForm(props, validateHosted, hostedToJson, HOSTED_FIELDS);
  return (
    <form className="repo-form" onSubmit={submit} noValidate ref={formRef} aria-label="Hosted repository">
      <FormErrors errors={errors} general={general} />
      <GeneralSection form={form} errors={errors} change={change} mode={context.mode} placeholder="docker-hosted" />
      <StorageSection form={form} errors={errors} change={change}>
        <SelectField
          path="storage.writePolicy"
          label="Deployment policy"
          value={form.writePolicy}
          options={WRITE_POLICIES}
          error={errors['storage.writePolicy']}
          help="Whether a push may replace an existing tag."
          onChange={(v) => change(['storage.writePolicy', 'storage.latestPolicy'], (f) => ({ ...f, writePolicy: v, latestPolicy: v === 'ALLOW_ONCE' ? f.latestPolicy : false }))}
        />
        <CheckboxField
          path="storage.latestPolicy"
          label='Allow redeploying "latest"'
          checked={form.latestPolicy}
          disabled={form.writePolicy !== 'ALLOW_ONCE'}
          error={errors['storage.latestPolicy']}
          help='With "Disable redeploy": the latest tag may still be overwritten.'
          onChange={(v) => change('storage.latestPolicy', (f) => ({ ...f, latestPolicy: v }))}
        />
      </StorageSection>
      <DockerSection
        form={form}
        errors={errors}
        change={change}
        portHint="Optional port serving this repository at the root, so clients push to host:port/<image>. Empty: push to host:8081/<name>/<image>."
      />
      <CleanupSection form={form} errors={errors} change={change} />
      <FormActions busy={busy} submitLabel={context.mode === 'create' ? 'Create hosted repository' : 'Save changes'} onCancel={onCancel} />
    </form>
  );
}
