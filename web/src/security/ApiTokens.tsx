import { useState } from 'react';
import type { ApiTokenJson, CreatedApiTokenJson } from '@wharf/api-types';
import { useApi } from '../api/context';
import { CopyBlock } from '../components/CopyButton';
import { WithNote } from '../components/DataTable';
import { type EditorContext, InlineForm, ResourceList, useListPage } from '../components/ResourceList';
import { SelectField, TextField } from '../components/fields';
import { type FieldErrors, useForm } from '../components/form-kit';
import { EmptyState } from '../components/states';
import { Time } from '../components/ui';

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
  const page = useListPage<ApiTokenJson>();
  const [created, setCreated] = useState<CreatedApiTokenJson | null>(null);

  return (
    <ResourceList
      page={page}
      listing={api.apiTokens}
      what="API tokens"
      newLabel="New token"
      editor={(_, context) => <TokenForm {...context} onCreated={setCreated} />}
      empty={<EmptyState title="No API tokens">Create one for each script or CI job, so each can be revoked on its own.</EmptyState>}
      banner={
        created && (
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
        )
      }
      columns={[
        { header: 'Name', className: 'strong', cell: (t) => <WithNote note={t.userId}>{t.name}</WithNote> },
        { header: 'Created', wide: true, cell: (t) => <Time iso={t.createdAt} /> },
        { header: 'Expires', cell: (t) => <Time iso={t.expiresAt} empty="never" /> },
        { header: 'Last used', wide: true, cell: (t) => <Time iso={t.lastUsedAt} empty="never" /> },
      ]}
      actions={(t) => (
        <button type="button" className="btn btn-small btn-danger-quiet" onClick={() => page.remove(t)}>
          Revoke
        </button>
      )}
      deletion={(t) => ({
        title: `Revoke token ${t.name}?`,
        text: 'Scripts that use it get 401 from now on.',
        done: `Revoked ${t.name}.`,
      })}
    />
  );
}

function TokenForm({ saved, cancel, onCreated }: EditorContext<ApiTokenJson> & { onCreated: (token: CreatedApiTokenJson) => void }) {
  const api = useApi();
  const kit = useForm({
    initial: { name: '', expiresAt: '90' as Expiry },
    validate: (draft): FieldErrors => (draft.name.trim() ? {} : { name: 'Name the token after what uses it, e.g. ci-deploy.' }),
    toJson: (draft) => ({
      name: draft.name.trim(),
      expiresAt: draft.expiresAt === 'never' ? null : new Date(Date.now() + Number(draft.expiresAt) * 86_400_000).toISOString(),
    }),
    save: (body) => api.apiTokens.create(body),
    known: ['name', 'expiresAt'],
    onSaved: (_, token) => {
      saved(null);
      onCreated(token);
    },
  });
  return (
    <InlineForm title="New API token" kit={kit} submitLabel="Create token" busyLabel="Creating…" onCancel={cancel}>
      <TextField {...kit.field('name')} label="Name" help="What uses the token, so you know which one to revoke." />
      <SelectField {...kit.field('expiresAt')} label="Expires after" options={EXPIRIES} help="Short-lived tokens limit the damage of a leak." />
    </InlineForm>
  );
}
