import type { HostedRepositoryJson, WritePolicy } from '@wharf/api-types';
import { CheckboxField, SelectField } from '../components/fields';
import { type RepositoryFormProps, RepositoryFormFrame, useRepositoryForm } from './sections';
import { type HostedForm as HostedFormState, hostName, hostedToJson, mainHost } from './model';
import { HOSTED_FIELDS, validateHosted } from './validation';

const WRITE_POLICIES: { value: WritePolicy; label: string }[] = [
  { value: 'ALLOW', label: 'Allow redeploy (tags can be pushed again)' },
  { value: 'ALLOW_ONCE', label: 'Disable redeploy (a tag is pushed once)' },
  { value: 'DENY', label: 'Read-only (pushes are refused)' },
];

/** The port field's help, with the address this page is served from. */
function portHint(): string {
  return `Optional port serving this repository at the root, so clients push to ${hostName(undefined)}:<port>/<image>. Empty: push to ${mainHost(undefined)}/<name>/<image>.`;
}

/** Create or edit a hosted repository: the one you `docker push` to. */
export function HostedForm(props: RepositoryFormProps<HostedFormState, HostedRepositoryJson>) {
  const { context, onCancel } = props;
  const kit = useRepositoryForm(props, validateHosted, hostedToJson, HOSTED_FIELDS);
  const { form, change } = kit;
  const storage = (
    <>
      <SelectField
        {...kit.field('writePolicy', 'storage.writePolicy')}
        label="Deployment policy"
        options={WRITE_POLICIES}
        help="Whether a push may replace an existing tag."
        onChange={(v) => change(['storage.writePolicy', 'storage.latestPolicy'], (f) => ({ ...f, writePolicy: v, latestPolicy: v === 'ALLOW_ONCE' ? f.latestPolicy : false }))}
      />
      <CheckboxField
        {...kit.check('latestPolicy', 'storage.latestPolicy')}
        label='Allow redeploying "latest"'
        disabled={form.writePolicy !== 'ALLOW_ONCE'}
        help='With "Disable redeploy": the latest tag may still be overwritten.'
      />
    </>
  );
  return <RepositoryFormFrame kit={kit} type="hosted" mode={context.mode} onCancel={onCancel} placeholder="docker-hosted" portHint={portHint()} storage={storage} />;
}
