import type { ReactNode } from 'react';
import { CheckboxField, Field, Fieldset, TextField } from '../components/fields';
import { type FieldErrors, useForm } from '../components/form-kit';
import type { CommonForm, DockerForm } from './model';
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

/** Name and online state. */
export function GeneralSection<F extends CommonForm>({
  form,
  errors,
  change,
  mode,
  placeholder,
  children,
}: {
  form: F;
  errors: FieldErrors;
  change: (paths: string | string[], next: (form: F) => F) => void;
  mode: 'create' | 'edit';
  placeholder: string;
  children?: ReactNode;
}) {
  return (
    <Fieldset legend="General">
      <TextField
        path="name"
        label="Name"
        value={form.name}
        error={errors.name}
        disabled={mode === 'edit'}
        required
        placeholder={placeholder}
        help={
          mode === 'edit'
            ? 'Repositories cannot be renamed.'
            : 'Lower-case letters, digits and . _ __ -. It is the first path segment of image names on the main port (host:8081/<name>/<image>).'
        }
        onChange={(name) => change('name', (f) => ({ ...f, name }))}
      />
      <CheckboxField
        path="online"
        label="Online"
        checked={form.online}
        error={errors.online}
        help="An offline repository refuses every registry request but keeps its content and settings."
        onChange={(online) => change('online', (f) => ({ ...f, online }))}
      />
      {children}
    </Fieldset>
  );
}

/** Blob store and content-type validation (plus the hosted-only deployment policies as children). */
export function StorageSection<F extends CommonForm>({
  form,
  errors,
  change,
  children,
}: {
  form: F;
  errors: FieldErrors;
  change: (paths: string | string[], next: (form: F) => F) => void;
  children?: ReactNode;
}) {
  return (
    <Fieldset legend="Storage">
      <Field path="storage.blobStoreName" label="Blob store" error={errors['storage.blobStoreName']} help='Where layers and manifests are stored: "default", the filesystem store in the data directory (the only store).'>
        {(props) => (
          <select {...props} value="default" disabled>
            <option value="default">default</option>
          </select>
        )}
      </Field>
      <CheckboxField
        path="storage.strictContentTypeValidation"
        label="Strict content type validation"
        checked={form.strictContentTypeValidation}
        error={errors['storage.strictContentTypeValidation']}
        help="Check that stored content matches its declared media type."
        onChange={(v) => change('storage.strictContentTypeValidation', (f) => ({ ...f, strictContentTypeValidation: v }))}
      />
      {children}
    </Fieldset>
  );
}

export function CleanupSection<F extends CommonForm>({
  form,
  errors,
  change,
}: {
  form: F;
  errors: FieldErrors;
  change: (paths: string | string[], next: (form: F) => F) => void;
}) {
  return (
    <Fieldset legend="Cleanup">
      <TextField
        path="cleanup.policyNames"
        label="Cleanup policies"
        value={form.cleanupPolicyNames}
        error={errors['cleanup.policyNames']}
        placeholder="none"
        help="Names of the cleanup policies that apply to this repository, separated by commas. Leave empty for none."
        onChange={(v) => change('cleanup.policyNames', (f) => ({ ...f, cleanupPolicyNames: v }))}
      />
    </Fieldset>
  );
}

/** The `docker` object: connector port and client authentication. */
export function DockerSection<F extends CommonForm>({
  form,
  errors,
  change,
  portHint,
}: {
  form: F;
  errors: FieldErrors;
  change: (paths: string | string[], next: (form: F) => F) => void;
  portHint?: ReactNode;
}) {
  const setDocker = (path: string, patch: Partial<DockerForm>) => change(`docker.${path}`, (f) => ({ ...f, docker: { ...f.docker, ...patch } }));
  return (
    <Fieldset legend="Docker">
      <TextField
        path="docker.httpPort"
        label="HTTP connector port"
        value={form.docker.httpPort}
        error={errors['docker.httpPort']}
        inputMode="numeric"
        placeholder="none"
        help={
          portHint ??
          'Optional port that serves this repository at the root (host:port/v2/…), as Docker mirrors need. Empty: reachable only by path on the main port.'
        }
        onChange={(v) => setDocker('httpPort', { httpPort: v })}
      />
      <CheckboxField
        path="docker.forceBasicAuth"
        label="Require authentication"
        checked={form.docker.forceBasicAuth}
        error={errors['docker.forceBasicAuth']}
        help="Every request needs credentials, even with anonymous access on. Turn off to allow anonymous pulls."
        onChange={(v) => setDocker('forceBasicAuth', { forceBasicAuth: v })}
      />
      <CheckboxField
        path="docker.pathEnabled"
        label="Path routing on the main port"
        checked={form.docker.pathEnabled}
        error={errors['docker.pathEnabled']}
        help="Serve images as host:8081/<repository>/<image>. Wharf always routes by path; the setting is kept for Nexus compatibility."
        onChange={(v) => setDocker('pathEnabled', { pathEnabled: v })}
      />
      <TextField
        path="docker.subdomain"
        label="Subdomain"
        value={form.docker.subdomain}
        error={errors['docker.subdomain']}
        placeholder="none"
        help="Optional DNS label for subdomain routing behind a reverse proxy (at most 63 characters)."
        onChange={(v) => setDocker('subdomain', { subdomain: v })}
      />
      <TextField
        path="docker.httpsPort"
        label="HTTPS connector port"
        value=""
        error={errors['docker.httpsPort']}
        disabled
        placeholder="not supported"
        help="Not supported: terminate TLS in a reverse proxy in front of Wharf."
        onChange={() => undefined}
      />
      <CheckboxField
        path="docker.v1Enabled"
        label="Docker V1 API"
        checked={false}
        error={errors['docker.v1Enabled']}
        disabled
        help="Not supported: clients use the V2 API (every Docker since 1.6)."
        onChange={() => undefined}
      />
    </Fieldset>
  );
}
