import type { ProxyRepositoryJson } from '@wharf/api-types';
import { OrderButtons, moved } from '../components/OrderButtons';
import type { FieldErrors } from '../components/form-kit';
import { CheckboxField, Field, Fieldset, SelectField, TextField } from '../components/fields';
import { type RepositoryFormProps, RepositoryFormFrame, useRepositoryForm } from './sections';
import { DOCKER_HUB_URL, type IndexType, type ProxyForm as ProxyFormState, type TagTierForm, applyDockerHubPreset, mainHost, newTier, proxyToJson } from './model';
import { PROXY_FIELDS, validateProxy } from './validation';

const INDEX_TYPES: { value: IndexType; label: string }[] = [
  { value: 'HUB', label: 'Docker Hub' },
  { value: 'REGISTRY', label: 'The remote registry itself' },
  { value: 'CUSTOM', label: 'A custom index URL' },
];

/** The port field's help, with the address this page is served from. */
function portHint(): string {
  return `Optional port serving this cache at the root, for Docker daemons that use it in "registry-mirrors". Empty: pull as ${mainHost(undefined)}/<name>/<image>.`;
}

/** Create or edit a proxy repository: a pull-through cache of a remote registry. */
export function ProxyForm(props: RepositoryFormProps<ProxyFormState, ProxyRepositoryJson>) {
  const { context, onCancel } = props;
  const kit = useRepositoryForm(props, validateProxy, proxyToJson, PROXY_FIELDS);
  const { form, errors, change } = kit;
  const isHub = form.remoteUrl.trim().replace(/\/+$/, '') === DOCKER_HUB_URL && form.indexType === 'HUB';
  const keepsPassword = context.mode === 'edit' && form.storedUsername !== null && form.storedUsername === form.username.trim();

  return (
    <RepositoryFormFrame kit={kit} type="proxy" mode={context.mode} onCancel={onCancel} placeholder="docker-hub" portHint={portHint()}>

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
          {...kit.field('remoteUrl', 'proxy.remoteUrl')}
          label="Remote URL"
          type="url"
          placeholder={DOCKER_HUB_URL}
          required
          help="The registry to cache, e.g. https://registry-1.docker.io for Docker Hub or https://ghcr.io."
        />
        <SelectField
          {...kit.field('indexType', 'dockerProxy.indexType', ['dockerProxy.indexType', 'dockerProxy.indexUrl'])}
          label="Docker index"
          options={INDEX_TYPES}
          help='Docker Hub: official images get their "library/" prefix and pull rate limits are tracked. Otherwise: the remote registry, or a custom index.'
        />
        {form.indexType === 'CUSTOM' && (
          <TextField
            {...kit.field('indexUrl', 'dockerProxy.indexUrl')}
            label="Index URL"
            type="url"
            help="URL of the Docker index used for searches and image metadata."
          />
        )}
      </Fieldset>

      <Fieldset legend="Caching" description="Ages are in minutes; -1 means never expires.">
        <TextField
          {...kit.field('contentMaxAge', 'proxy.contentMaxAge')}
          label="Content max age"
          inputMode="numeric"
          help="Minutes after which a manifest cached by digest is confirmed upstream (a HEAD) on its next pull; gone upstream: dropped from the cache. Layers stay until cleanup or eviction. -1: never ask."
        />
        <TextField
          {...kit.field('metadataMaxAge', 'proxy.metadataMaxAge')}
          label="Tag max age"
          inputMode="numeric"
          help="How long a cached tag is served before it is revalidated upstream (a cheap HEAD, not counted by Docker Hub's pull limit)."
        />
        <TagTiers tiers={form.tagMaxAge} errors={errors} onChange={(paths, tiers) => change(paths, (f) => ({ ...f, tagMaxAge: tiers(f.tagMaxAge) }))} />
        <CheckboxField
          {...kit.check('negativeCacheEnabled', 'negativeCache.enabled', 'negativeCache')}
          label="Negative cache"
          help='Remember "not found" answers of the upstream, so repeated misses do not call it again.'
        />
        <TextField
          {...kit.field('negativeCacheTtl', 'negativeCache.timeToLive')}
          label="Negative cache time to live"
          inputMode="numeric"
          disabled={!form.negativeCacheEnabled}
          help="Minutes a remembered miss is kept."
        />
      </Fieldset>

      <Fieldset legend="HTTP client">
        <CheckboxField
          {...kit.check('blocked', 'httpClient.blocked')}
          label="Blocked"
          help="Never contact the upstream; serve only what is cached."
        />
        <CheckboxField
          {...kit.check('autoBlock', 'httpClient.autoBlock')}
          label="Auto-block"
          help="Stop calling an upstream that keeps failing for a while, serving from the cache meanwhile."
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
              {...kit.field('username', 'httpClient.authentication.username', ['httpClient.authentication.username', 'httpClient.authentication.password'])}
              label="Upstream user name"
              autoComplete="off"
              help="The account on the remote registry."
            />
            <TextField
              {...kit.field('password', 'httpClient.authentication.password')}
              label="Upstream password or token"
              type="password"
              autoComplete="new-password"
              placeholder={keepsPassword ? 'unchanged' : ''}
              help={
                keepsPassword
                  ? 'Write-only. Leave empty to keep the stored password; type a new one to replace it.'
                  : 'Write-only: stored encrypted and never shown again.'
              }
            />
          </>
        )}
      </Fieldset>

    </RepositoryFormFrame>
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
              <OrderButtons
                index={i}
                count={tiers.length}
                name={`tier ${i + 1}`}
                onMove={(by) => onChange(all, (list) => moved(list, i, by))}
                onRemove={() => onChange(all, (list) => list.filter((t) => t.key !== tier.key))}
              />
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
