import { type FormEvent, useEffect, useRef, useState } from 'react';
import { ApiError, describeError } from '../api/errors';

/** Errors by JSON path (`docker.httpPort`, `proxy.tagMaxAge.0.pattern`), the same keys the server uses. */
export type FieldErrors = Record<string, string>;

export interface MappedErrors {
  fields: FieldErrors;
  /** Errors that belong to no field shown on the form. */
  general: string[];
}

/** A 400 of the REST API (`[{id, message}]`) onto the fields the form shows; the rest is said above the form. */
export function fieldsOf(error: ApiError, known: readonly string[]): MappedErrors {
  const fields: FieldErrors = {};
  const general: string[] = [];
  for (const { id, message } of error.fields.length > 0 ? error.fields : [{ id: '*', message: error.message }]) {
    if (known.includes(id)) fields[id] = fields[id] ? `${fields[id]} ${message}` : message;
    else general.push(message);
  }
  return { fields, general };
}

/** Keys of `F` whose values are booleans (checkboxes). */
export type FlagKeys<F> = { [K in keyof F]: F[K] extends boolean ? K : never }[keyof F] & string;

/** What fields and form sections need of a form: its values and errors, and ways to change them. */
export interface FormBinding<F> {
  form: F;
  errors: FieldErrors;
  /** Applies a change and clears the errors of the paths it touches (a path also clears its children). */
  change: (paths: string | string[], next: (form: F) => F) => void;
  /**
   * The props of a text or select field showing `key` of the values; `path` is the server's JSON path of its errors
   * (default: the key), `clears` the paths a change clears (default: the path): `<TextField {...field('name')} />`.
   */
  field: <K extends keyof F & string>(key: K, path?: string, clears?: string | string[]) => { path: string; value: F[K]; error: string | undefined; onChange: (value: F[K]) => void };
  /** The same for a checkbox. */
  check: <K extends FlagKeys<F>>(key: K, path?: string, clears?: string | string[]) => { path: string; checked: boolean; error: string | undefined; onChange: (checked: boolean) => void };
}

/** A form as useForm gives it: the binding, messages that belong to no field, busy while saving, submit. */
export interface FormKit<F> extends FormBinding<F> {
  general: string[];
  busy: boolean;
  /** The <form>'s onSubmit; after a failed submit, focus goes to the form's first invalid field. */
  submit: (event: FormEvent<HTMLFormElement>) => void;
}

/**
 * A form's state and submit: the values `F` (text inputs stay strings until sent), errors by path, messages that
 * belong to no field, busy while saving. Submit validates (`validate`), turns the values into the request body
 * (`toJson`), saves, and maps the server's 400/409/422 onto the fields; focus then goes to the first invalid field.
 */
export function useForm<F, J, R = void>({
  initial,
  validate,
  toJson,
  save,
  known,
  mapErrors = (error) => fieldsOf(error, known),
  onSaved,
}: {
  initial: F;
  validate: (form: F) => FieldErrors;
  toJson: (form: F) => J;
  save: (json: J) => Promise<R>;
  /** The paths the form shows (server errors about other paths are shown above the form). */
  known: readonly string[];
  mapErrors?: (error: ApiError) => MappedErrors;
  onSaved: (json: J, result: R) => void;
}): FormKit<F> {
  const [form, setForm] = useState<F>(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [focusRequest, setFocusRequest] = useState(0);
  const formElement = useRef<HTMLFormElement | null>(null);

  useEffect(() => {
    if (focusRequest === 0) return;
    const first = formElement.current?.querySelector<HTMLElement>('[aria-invalid="true"]') ?? formElement.current?.querySelector<HTMLElement>('.form-errors');
    first?.focus();
  }, [focusRequest]);

  const change: FormBinding<F>['change'] = (paths, next) => {
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

  const field: FormBinding<F>['field'] = (key, path = key, clears = path) => ({
    path,
    value: form[key],
    error: errors[path],
    onChange: (value) => change(clears, (f) => ({ ...f, [key]: value })),
  });
  const check: FormBinding<F>['check'] = (key, path = key, clears = path) => ({
    path,
    checked: form[key] as boolean,
    error: errors[path],
    onChange: (checked) => change(clears, (f) => ({ ...f, [key]: checked })),
  });

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    formElement.current = event.currentTarget;
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
      const result = await save(json);
      onSaved(json, result);
    } catch (err) {
      if (err instanceof ApiError && (err.status === 400 || err.status === 409 || err.status === 422)) {
        const mapped = mapErrors(err);
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

  return { form, errors, general, busy, change, field, check, submit: (e: FormEvent<HTMLFormElement>) => void submit(e) };
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

export function FormActions({ busy, submitLabel, busyLabel = 'Saving…', onCancel }: { busy: boolean; submitLabel: string; busyLabel?: string; onCancel: () => void }) {
  return (
    <div className="form-actions">
      <button type="submit" className="btn btn-primary" disabled={busy}>
        {busy ? busyLabel : submitLabel}
      </button>
      <button type="button" className="btn" onClick={onCancel} disabled={busy}>
        Cancel
      </button>
    </div>
  );
}
