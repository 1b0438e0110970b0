import { useState } from 'react';
import type { ApiTokenJson, CreatedApiTokenJson } from '@wharf/api-types';
import { useApi } from '../api/context';
import { useApiQuery } from '../api/queries';
import { CopyBlock } from '../components/CopyButton';
import { type EditorContext, ResourceList, useListPage } from '../components/ResourceList';
import { Fieldset, SelectField, TextField } from '../components/fields';
import { type FieldErrors, FormActions, FormErrors, useForm } from '../components/form-kit';
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
  const tokens = useApiQuery(['api-tokens'], () => api.listApiTokens());
  const page = useListPage<ApiTokenJson>();
  const [created, setCreated] = useState<CreatedApiTokenJson | null>(null);

  return (
    <ResourceList
      page={page}
      state={tokens}
      unavailable={{ what: 'API tokens', endpoint: 'GET /service/rest/v1/security/api-tokens' }}
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
      rowKey={(t) => t.id}
      columns={[
        {
          header: 'Name',
          className: 'strong',
          cell: (t) => (
            <>
              {t.name}
              {t.userId && <div className="muted small">{t.userId}</div>}
            </>
          ),
        },
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
        run: () => api.deleteApiToken(t.id),
        done: `Revoked ${t.name}.`,
      })}
    />
  );
}

function TokenForm({ saved, cancel, onCreated }: EditorContext<ApiTokenJson> & { onCreated: (token: CreatedApiTokenJson) => void }) {
  const api = useApi();
  const { errors, general, busy, field, submit } = useForm({
    initial: { name: '', expiresAt: '90' as Expiry },
    validate: (draft): FieldErrors => (draft.name.trim() ? {} : { name: 'Name the token after what uses it, e.g. ci-deploy.' }),
    toJson: (draft) => ({
      name: draft.name.trim(),
      expiresAt: draft.expiresAt === 'never' ? null : new Date(Date.now() + Number(draft.expiresAt) * 86_400_000).toISOString(),
    }),
    save: (body) => api.createApiToken(body),
    known: ['name', 'expiresAt'],
    onSaved: (_, token) => {
      saved(null);
      onCreated(token);
    },
  });
  return (
    <form className="inline-form" onSubmit={submit} noValidate aria-label="New API token">
      <Fieldset legend="New API token">
        <FormErrors errors={errors} general={general} />
        <TextField {...field('name')} label="Name" help="What uses the token, so you know which one to revoke." />
        <SelectField {...field('expiresAt')} label="Expires after" options={EXPIRIES} help="Short-lived tokens limit the damage of a leak." />
        <FormActions busy={busy} submitLabel="Create token" busyLabel="Creating…" onCancel={cancel} />
      </Fieldset>
    </form>
  );
}
