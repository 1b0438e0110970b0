import type { ProxyRepositoryJson } from '@wharf/api-types';
import { type FieldErrors, FormActions, FormErrors } from '../components/form-kit';
import { CheckboxField, Field, Fieldset, SelectField, TextField } from '../components/fields';
import { CleanupSection, DockerSection, GeneralSection, StorageSection, type RepositoryFormProps, useRepositoryForm } from './sections';
import { DOCKER_HUB_URL, type IndexType, type ProxyForm as ProxyFormState, type TagTierForm, applyDockerHubPreset, newTier, proxyToJson } from './model';
import { PROXY_FIELDS, validateProxy } from './validation';

const INDEX_TYPES: { value: IndexType; label: string }[] = [
  { value: 'HUB', label: 'Docker Hub' },
  { value: 'REGISTRY', label: 'The remote registry itself' },
  { value: 'CUSTOM', label: 'A custom index URL' },
];

/** Create or edit a proxy repository: a pull-through cache of a remote registry. */
export function ProxyForm(props: RepositoryFormProps<ProxyFormState, ProxyRepositoryJson>) {
  const { context, onCancel } = props;
  const { form, errors, general, busy, change, submit, formRef } = useRepositoryForm(props, validateProxy, proxyToJson, PROXY_FIELDS);
  const isHub = form.remoteUrl.trim().replace(/\/+$/, '') === DOCKER_HUB_URL && form.indexType === 'HUB';
  const keepsPassword = context.mode === 'edit' && form.storedUsername !== null && form.storedUsername === form.username.trim();

  return (
    <form className="repo-form" onSubmit={submit} noValidate ref={formRef} aria-label="Proxy repository">
      <FormErrors errors={errors} general={general} />
      <GeneralSection form={form} errors={errors} change={change} mode={context.mode} placeholder="docker-hub" />

      <Fieldset
        legend="Upstream"
        description={
          <span className="preset-row">
            <button
              type="button"
              className="btn btn-small"
              aria-pressed={isHub}
              onClick={() => change(['name', 'proxy.remoteUrl', 'dockerProxy'], applyDockerHubPreset)}
            >
              Docker Hub preset
            </button>
            <span>{"Fills in Docker Hub's registry endpoint and index type."}</span>
          </span>
        }
      >
        <TextField
          path="proxy.remoteUrl"
          label="Remote URL"
          type="url"
          value={form.remoteUrl}
          error={errors['proxy.remoteUrl']}
          placeholder={DOCKER_HUB_URL}
          required
          help="The registry to cache, e.g. https://registry-1.docker.io for Docker Hub or https://ghcr.io."
          onChange={(v) => change('proxy.remoteUrl', (f) => ({ ...f, remoteUrl: v }))}
        />
        <SelectField
          path="dockerProxy.indexType"
          label="Docker index"
          value={form.indexType}
          options={INDEX_TYPES}
          error={errors['dockerProxy.indexType']}
          help='Docker Hub: official images get their "library/" prefix and pull rate limits are tracked. Otherwise: the remote registry, or a custom index.'
          onChange={(v) => change(['dockerProxy.indexType', 'dockerProxy.indexUrl'], (f) => ({ ...f, indexType: v }))}
        />
        {form.indexType === 'CUSTOM' && (
          <TextField
            path="dockerProxy.indexUrl"
            label="Index URL"
            type="url"
            value={form.indexUrl}
            error={errors['dockerProxy.indexUrl']}
            help="URL of the Docker index used for searches and image metadata."
            onChange={(v) => change('dockerProxy.indexUrl', (f) => ({ ...f, indexUrl: v }))}
          />
        )}
      </Fieldset>

      <Fieldset legend="Caching" description="Ages are in minutes; -1 means never expires.">
        <TextField
          path="proxy.contentMaxAge"
          label="Content max age"
          value={form.contentMaxAge}
          inputMode="numeric"
          error={errors['proxy.contentMaxAge']}
          help="How long cached content (layers, manifests by digest) is kept before it is checked upstream again."
          onChange={(v) => change('proxy.contentMaxAge', (f) => ({ ...f, contentMaxAge: v }))}
        />
        <TextField
          path="proxy.metadataMaxAge"
          label="Tag max age"
          value={form.metadataMaxAge}
          inputMode="numeric"
          error={errors['proxy.metadataMaxAge']}
          help="How long a cached tag is served before it is revalidated upstream (a cheap HEAD, not counted by Docker Hub's pull limit)."
          onChange={(v) => change('proxy.metadataMaxAge', (f) => ({ ...f, metadataMaxAge: v }))}
        />
        <TagTiers tiers={form.tagMaxAge} errors={errors} onChange={(paths, tiers) => change(paths, (f) => ({ ...f, tagMaxAge: tiers(f.tagMaxAge) }))} />
        <CheckboxField
          path="negativeCache.enabled"
          label="Negative cache"
          checked={form.negativeCacheEnabled}
          error={errors['negativeCache.enabled']}
          help='Remember "not found" answers of the upstream, so repeated misses do not call it again.'
          onChange={(v) => change('negativeCache', (f) => ({ ...f, negativeCacheEnabled: v }))}
        />
        <TextField
          path="negativeCache.timeToLive"
          label="Negative cache time to live"
          value={form.negativeCacheTtl}
          inputMode="numeric"
          disabled={!form.negativeCacheEnabled}
          error={errors['negativeCache.timeToLive']}
          help="Minutes a remembered miss is kept."
          onChange={(v) => change('negativeCache.timeToLive', (f) => ({ ...f, negativeCacheTtl: v }))}
        />
      </Fieldset>

      <Fieldset legend="HTTP client">
        <CheckboxField
          path="httpClient.blocked"
          label="Blocked"
          checked={form.blocked}
          error={errors['httpClient.blocked']}
          help="Never contact the upstream; serve only what is cached."
          onChange={(v) => change('httpClient.blocked', (f) => ({ ...f, blocked: v }))}
        />
        <CheckboxField
          path="httpClient.autoBlock"
          label="Auto-block"
          checked={form.autoBlock}
          error={errors['httpClient.autoBlock']}
          help="Stop calling an upstream that keeps failing for a while, serving from the cache meanwhile."
          onChange={(v) => change('httpClient.autoBlock', (f) => ({ ...f, autoBlock: v }))}
        />
        <CheckboxField
          path="httpClient.authentication"
          label="Authenticate to the upstream"
          checked={form.authEnabled}
          error={errors['httpClient.authentication'] ?? errors['httpClient.authentication.type']}
          help="Send a user name and password or access token, e.g. a Docker Hub account for higher pull limits."
          onChange={(v) => change('httpClient.authentication', (f) => ({ ...f, authEnabled: v }))}
        />
        {form.authEnabled && (
          <>
            <TextField
              path="httpClient.authentication.username"
              label="Upstream user name"
              value={form.username}
              autoComplete="off"
              error={errors['httpClient.authentication.username']}
              help="The account on the remote registry."
              onChange={(v) => change(['httpClient.authentication.username', 'httpClient.authentication.password'], (f) => ({ ...f, username: v }))}
            />
            <TextField
              path="httpClient.authentication.password"
              label="Upstream password or token"
              type="password"
              autoComplete="new-password"
              value={form.password}
              error={errors['httpClient.authentication.password']}
              placeholder={keepsPassword ? 'unchanged' : ''}
              help={
                keepsPassword
                  ? 'Write-only. Leave empty to keep the stored password; type a new one to replace it.'
                  : 'Write-only: stored encrypted and never shown again.'
              }
              onChange={(v) => change('httpClient.authentication.password', (f) => ({ ...f, password: v }))}
            />
          </>
        )}
      </Fieldset>

      <StorageSection form={form} errors={errors} change={change} />
      <DockerSection
        form={form}
        errors={errors}
        change={change}
        portHint='Optional port serving this cache at the root, for Docker daemons that use it in "registry-mirrors". Empty: pull as host:8081/<name>/<image>.'
      />
      <CleanupSection form={form} errors={errors} change={change} />
      <FormActions busy={busy} submitLabel={context.mode === 'create' ? 'Create proxy repository' : 'Save changes'} onCancel={onCancel} />
    </form>
  );
}

/** `proxy.tagMaxAge`: ordered tiers, the first whose pattern matches the whole tag sets its max age. */
function TagTiers({
  tiers,
  errors,
  onChange,
}: {
  tiers: TagTierForm[];
  errors: FieldErrors;
  onChange: (paths: string | string[], next: (tiers: TagTierForm[]) => TagTierForm[]) => void;
}) {
  const all = 'proxy.tagMaxAge';
  const move = (i: number, by: number) =>
    onChange(all, (list) => {
      const next = [...list];
      const [item] = next.splice(i, 1);
      next.splice(i + by, 0, item!);
      return next;
    });
  return (
    <div className="field tiers" role="group" aria-labelledby="tiers-title">
      <p className="label" id="tiers-title">
        Tag max age tiers
      </p>
      <p className="help">
        Per-tag overrides of the tag max age. The first pattern (a regular expression matching the whole tag) that matches wins, e.g.{' '}
        <code>latest</code> → 5, <code>v?\d+\.\d+\.\d+</code> → -1.
      </p>
      {errors[all] && <p className="field-error">{errors[all]}</p>}
      {tiers.length > 0 && (
        <ol className="tier-list">
          {tiers.map((tier, i) => (
            <li key={tier.key} className="tier-row">
              <Field path={`${all}.${i}.pattern`} label={`Pattern ${i + 1}`} error={errors[`${all}.${i}.pattern`]} className="tier-pattern">
                {(props) => (
                  <input
                    {...props}
                    value={tier.pattern}
                    placeholder="latest|nightly"
                    spellCheck={false}
                    onChange={(e) => onChange(`${all}.${i}.pattern`, (list) => list.map((t) => (t.key === tier.key ? { ...t, pattern: e.target.value } : t)))}
                  />
                )}
              </Field>
              <Field path={`${all}.${i}.maxAge`} label="Minutes" error={errors[`${all}.${i}.maxAge`]} className="tier-age">
                {(props) => (
                  <input
                    {...props}
                    value={tier.maxAge}
                    inputMode="numeric"
                    placeholder="60"
                    onChange={(e) => onChange(`${all}.${i}.maxAge`, (list) => list.map((t) => (t.key === tier.key ? { ...t, maxAge: e.target.value } : t)))}
                  />
                )}
              </Field>
              <div className="row-buttons">
                <button type="button" className="btn btn-icon" aria-label={`Move tier ${i + 1} up`} disabled={i === 0} onClick={() => move(i, -1)}>
                  ↑
                </button>
                <button type="button" className="btn btn-icon" aria-label={`Move tier ${i + 1} down`} disabled={i === tiers.length - 1} onClick={() => move(i, 1)}>
                  ↓
                </button>
                <button
                  type="button"
                  className="btn btn-icon"
                  aria-label={`Remove tier ${i + 1}`}
                  onClick={() => onChange(all, (list) => list.filter((t) => t.key !== tier.key))}
                >
                  ✕
                </button>
              </div>
            </li>
          ))}
        </ol>
      )}
      <button type="button" className="btn btn-small" onClick={() => onChange(all, (list) => [...list, newTier('', '60')])}>
        Add tier
      </button>
    </div>
  );
}
