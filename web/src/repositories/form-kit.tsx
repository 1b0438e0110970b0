import { type FormEvent, type ReactNode, useEffect, useRef, useState } from 'react';
import { ApiError, describeError } from '../api/errors';
import { CheckboxField, Field, Fieldset, TextField } from '../components/fields';
import type { CommonForm, DockerForm } from './model';
import { type FieldErrors, mapServerErrors } from './validation';

/** State and submit logic shared by the hosted, proxy and group forms. */
export function useRepositoryForm<F, J>({
  initial,
  validate,
  toJson,
  save,
  known,
  onSaved,
}: {
  initial: F;
  validate: (form: F) => FieldErrors;
  toJson: (form: F) => J;
  save: (json: J) => Promise<void>;
  known: string[];
  onSaved: (json: J) => void;
}) {
  const [form, setForm] = useState<F>(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [focusRequest, setFocusRequest] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);

  useEffect(() => {
    if (focusRequest === 0) return;
    const first = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]') ?? formRef.current?.querySelector<HTMLElement>('.form-errors');
    first?.focus();
  }, [focusRequest]);

  /** Applies a change and clears the errors of the paths it touches (a path also clears its children). */
  const change = (paths: string | string[], next: (form: F) => F) => {
    const list = Array.isArray(paths) ? paths : [paths];
    setForm((f) => next(f));
    setErrors((e) => {
      const kept: FieldErrors = {};
      let changed = false;
      for (const [key, value] of Object.entries(e)) {
        if (list.some((p) => key === p || key.startsWith(`${p}.`))) changed = true;
        else kept[key] = value;
      }
      return changed ? kept : e;
    });
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const found = validate(form);
    if (Object.keys(found).length > 0) {
      setErrors(found);
      setGeneral([]);
      setFocusRequest((n) => n + 1);
      return;
    }
    setBusy(true);
    setErrors({});
    setGeneral([]);
    try {
      const json = toJson(form);
      await save(json);
      onSaved(json);
    } catch (err) {
      if (err instanceof ApiError && (err.status === 400 || err.status === 409 || err.status === 422)) {
        const mapped = mapServerErrors(err, known);
        setErrors(mapped.fields);
        setGeneral(mapped.general);
      } else {
        setGeneral([describeError(err)]);
      }
      setFocusRequest((n) => n + 1);
    } finally {
      setBusy(false);
    }
  };

  return { form, setForm, errors, general, busy, change, submit, formRef };
}

export function FormErrors({ errors, general }: { errors: FieldErrors; general: string[] }) {
  const count = Object.keys(errors).length;
  if (count === 0 && general.length === 0) return null;
  return (
    <div className="form-errors" role="alert" tabIndex={-1}>
      {general.map((g) => (
        <p key={g}>{g}</p>
      ))}
      {count > 0 && <p>{count === 1 ? 'One field needs attention; it is marked below.' : `${count} fields need attention; they are marked below.`}</p>}
    </div>
  );
}

export function FormActions({ busy, submitLabel, onCancel }: { busy: boolean; submitLabel: string; onCancel: () => void }) {
  return (
    <div className="form-actions">
      <button type="submit" className="btn btn-primary" disabled={busy}>
        {busy ? 'Saving…' : submitLabel}
      </button>
      <button type="button" className="btn" onClick={onCancel} disabled={busy}>
        Cancel
      </button>
    </div>
  );
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
