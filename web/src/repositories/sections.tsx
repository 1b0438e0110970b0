import type { ReactNode } from 'react';
import { useApi } from '../api/context';
import { useCollection } from '../api/queries';
import { CheckListField, CheckboxField, Field, Fieldset, TextField } from '../components/fields';
import { Link, routePath } from '../components/router';
import { ErrorBox, Loading } from '../components/states';
import { type FieldErrors, type FlagKeys, FormActions, type FormBinding, FormErrors, type FormKit, useForm } from '../components/form-kit';
import type { RepositoryType } from '@wharf/api-types';
import { type CommonForm, type DockerForm, TYPE_LABEL, hostName, mainHost } from './model';
import { type ValidationContext, mapServerErrors } from './validation';

/** What the hosted, proxy and group forms take: the values to start from, the rules' context, the save call. */
export interface RepositoryFormProps<F, J> {
  initial: F;
  context: ValidationContext;
  save: (json: J) => Promise<void>;
  onSaved: (json: J) => void;
  onCancel: () => void;
}

/** form-kit's useForm with a repository form's rules, body and the server's field paths. */
export function useRepositoryForm<F, J>(
  { initial, context, save, onSaved }: RepositoryFormProps<F, J>,
  validate: (form: F, context: ValidationContext) => FieldErrors,
  toJson: (form: F) => J,
  known: readonly string[],
) {
  return useForm({ initial, validate: (f: F) => validate(f, context), toJson, save, known, mapErrors: (e) => mapServerErrors(e, known), onSaved });
}

/**
 * The frame of the hosted, proxy and group forms: errors, General, the type's own sections (`children`), Storage
 * (with the type's storage fields), Docker, Cleanup, and the buttons.
 */
export function RepositoryFormFrame<F extends CommonForm>({
  kit,
  type,
  mode,
  onCancel,
  placeholder,
  portHint,
  storage,
  children,
}: {
  kit: FormKit<F>;
  type: RepositoryType;
  mode: 'create' | 'edit';
  onCancel: () => void;
  placeholder: string;
  portHint: string;
  storage?: ReactNode;
  children?: ReactNode;
}) {
  return (
    <form className="repo-form" onSubmit={kit.submit} noValidate aria-label={`${TYPE_LABEL[type]} repository`}>
      <FormErrors errors={kit.errors} general={kit.general} />
      <GeneralSection kit={kit} mode={mode} placeholder={placeholder} />
      {children}
      <StorageSection kit={kit}>{storage}</StorageSection>
      <DockerSection kit={kit} portHint={portHint} />
      <CleanupSection kit={kit} />
      <FormActions busy={kit.busy} submitLabel={mode === 'create' ? `Create ${type} repository` : 'Save changes'} onCancel={onCancel} />
    </form>
  );
}

/** A flag of every repository form (TypeScript cannot see it among F's boolean keys while F is generic). */
const flag = <F extends CommonForm>(key: 'online' | 'strictContentTypeValidation') => key as FlagKeys<F>;

/** Name and online state. */
function GeneralSection<F extends CommonForm>({ kit, mode, placeholder, children }: { kit: FormBinding<F>; mode: 'create' | 'edit'; placeholder: string; children?: ReactNode }) {
  return (
    <Fieldset legend="General">
      <TextField
        {...kit.field('name')}
        label="Name"
        disabled={mode === 'edit'}
        required
        placeholder={placeholder}
        help={
          mode === 'edit'
            ? 'Repositories cannot be renamed.'
            : `Lower-case letters, digits and . _ __ -. It is the first path segment of image names on the main port (${mainHost(undefined)}/<name>/<image>).`
        }
      />
      <CheckboxField {...kit.check(flag<F>('online'))} label="Online" help="An offline repository refuses every registry request but keeps its content and settings." />
      {children}
    </Fieldset>
  );
}

/** Blob store and content-type validation (plus the hosted-only deployment policies as children). */
function StorageSection<F extends CommonForm>({ kit, children }: { kit: FormBinding<F>; children?: ReactNode }) {
  return (
    <Fieldset legend="Storage">
      <Field path="storage.blobStoreName" label="Blob store" error={kit.errors['storage.blobStoreName']} help='Where layers and manifests are stored: "default", the filesystem store in the data directory (the only store).'>
        {(props) => (
          <select {...props} value="default" disabled>
            <option value="default">default</option>
          </select>
        )}
      </Field>
      <CheckboxField
        {...kit.check(flag<F>('strictContentTypeValidation'), 'storage.strictContentTypeValidation')}
        label="Strict content type validation"
        help="Check that stored content matches its declared media type."
      />
      {children}
    </Fieldset>
  );
}

/** The cleanup policies that apply: a tick for each existing policy (GET /cleanup-policies). */
function CleanupSection<F extends CommonForm>({ kit }: { kit: FormBinding<F> }) {
  const api = useApi();
  const policies = useCollection(api.cleanupPolicies);
  const { form, errors, change } = kit;
  const path = 'cleanup.policyNames';
  const known = policies.data?.map((p) => p.name);
  const storage = <Link to={routePath('storage')}>Storage</Link>;
  return (
    <Fieldset legend="Cleanup">
      <CheckListField
        path={path}
        label="Cleanup policies"
        error={errors[path]}
        help={<>The policies the cleanup task applies to this repository; none ticked: nothing is cleaned up. Policies are written under {storage}.</>}
        choices={(policies.data ?? []).map((p) => ({ value: p.name, description: p.notes || undefined }))}
        chosen={form.cleanupPolicyNames}
        onChange={(next) => change(path, (f) => ({ ...f, cleanupPolicyNames: next }))}
        noteFor={(name) => (known && !known.includes(name) ? <> <span className="pill pill-bad">no such policy</span></> : null)}
        empty={
          policies.error !== undefined ? (
            <ErrorBox error={policies.error} title="The cleanup policies could not be read" onRetry={policies.reload} />
          ) : policies.data === undefined ? (
            <Loading label="Loading cleanup policies…" />
          ) : (
            <p className="muted">No cleanup policies yet: create one under {storage}, then tick it here.</p>
          )
        }
      />
    </Fieldset>
  );
}

/** The `docker` object: connector port and client authentication. */
function DockerSection<F extends CommonForm>({ kit, portHint }: { kit: FormBinding<F>; portHint?: ReactNode }) {
  const { form, errors, change } = kit;
  // The docker fields live one level down (form.docker.x), their errors at docker.x.
  const docker = <K extends keyof DockerForm>(key: K) => ({
    path: `docker.${key}`,
    error: errors[`docker.${key}`],
    onChange: (value: DockerForm[K]) => change(`docker.${key}`, (f) => ({ ...f, docker: { ...f.docker, [key]: value } })),
  });
  const portField = (key: 'httpPort' | 'httpsPort', label: string, help: ReactNode) => (
    <TextField {...docker(key)} value={form.docker[key]} label={label} inputMode="numeric" placeholder="none" help={help} />
  );
  return (
    // Path routing, subdomain and the V1 API are Nexus settings Wharf does not act on (it always routes by path, has
    // no subdomain routing and no V1 API): not shown, their values are kept as loaded and sent back.
    <Fieldset legend="Docker">
      {portField(
        'httpPort',
        'HTTP connector port',
        portHint ?? `Optional port that serves this repository at the root (${hostName(undefined)}:<port>/v2/…), as Docker mirrors need. Empty: reachable only by path on the main port.`,
      )}
      <CheckboxField
        {...docker('forceBasicAuth')}
        checked={form.docker.forceBasicAuth}
        label="Require authentication"
        help="Every request needs credentials, even with anonymous access on. Turn off to allow anonymous pulls."
      />
      {portField(
        'httpsPort',
        'HTTPS connector port',
        'Optional port that serves this repository at the root over HTTPS, with the certificate Wharf was started with (WHARF_TLS_CERTIFICATE and WHARF_TLS_KEY). Without one, Wharf refuses it.',
      )}
    </Fieldset>
  );
}
