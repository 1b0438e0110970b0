import type { ReactNode } from 'react';

/** DOM id for a JSON path such as `proxy.tagMaxAge.0.pattern`. */
export function fieldId(path: string): string {
  return `f-${path.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

interface FieldControlProps {
  id: string;
  'aria-describedby': string;
  'aria-invalid': boolean;
  name: string;
}

/** The ids a control's aria-describedby names: its help and its error, when shown. */
function describedBy(id: string, help: ReactNode, error: string | undefined): string {
  return [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
}

/** The explanation under a control, then its error. */
function FieldNotes({ id, help, error }: { id: string; help: ReactNode; error: string | undefined }) {
  return (
    <>
      {help && (
        <p className="help" id={`${id}-help`}>
          {help}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </>
  );
}

/** What every field takes: the JSON path of its value (also its errors' key and its DOM id), a label, help, an error. */
interface FieldBase {
  path: string;
  label: ReactNode;
  help?: ReactNode;
  error?: string | undefined;
}

/** A labelled control with its one-line explanation and, when invalid, the error right below it. */
export function Field({
  path,
  label,
  help,
  error,
  children,
  className,
}: {
  /** JSON path of the value; also the key of its errors. */
  path: string;
  label: ReactNode;
  help?: ReactNode;
  error?: string | undefined;
  children: (props: FieldControlProps) => ReactNode;
  className?: string;
}) {
  const id = fieldId(path);
  return (
    <div className={`field${error ? ' field-invalid' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-describedby': describedBy(id, help, error), 'aria-invalid': !!error, name: path })}
      <FieldNotes id={id} help={help} error={error} />
    </div>
  );
}

export function TextField({
  value,
  onChange,
  type = 'text',
  disabled,
  placeholder,
  autoComplete,
  inputMode,
  required,
  ...base
}: FieldBase & {
  value: string;
  onChange: (value: string) => void;
  type?: 'text' | 'password' | 'url' | 'email' | 'number';
  disabled?: boolean;
  placeholder?: string;
  autoComplete?: string;
  inputMode?: 'numeric' | 'text' | 'url' | 'email';
  required?: boolean;
}) {
  return (
    <Field {...base}>
      {(props) => (
        <input
          {...props}
          type={type}
          value={value}
          disabled={disabled}
          placeholder={placeholder}
          autoComplete={autoComplete ?? 'off'}
          inputMode={inputMode}
          aria-required={required || undefined}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}

export function SelectField<V extends string>({
  value,
  onChange,
  options,
  disabled,
  ...base
}: FieldBase & {
  value: V;
  onChange: (value: V) => void;
  options: { value: V; label: string }[];
  disabled?: boolean;
}) {
  return (
    <Field {...base}>
      {(props) => (
        <select {...props} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value as V)}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export function CheckboxField({
  path,
  label,
  help,
  error,
  checked,
  onChange,
  disabled,
}: FieldBase & {
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
}) {
  const id = fieldId(path);
  return (
    <div className={`field field-check${error ? ' field-invalid' : ''}`}>
      <div className="check-row">
        <input
          id={id}
          name={path}
          type="checkbox"
          checked={checked}
          disabled={disabled}
          aria-describedby={describedBy(id, help, error)}
          aria-invalid={!!error}
          onChange={(e) => onChange(e.target.checked)}
        />
        <label htmlFor={id}>{label}</label>
      </div>
      <FieldNotes id={id} help={help} error={error} />
    </div>
  );
}

export function Fieldset({ legend, children, description }: { legend: string; children: ReactNode; description?: ReactNode }) {
  return (
    <fieldset className="fieldset">
      <legend>{legend}</legend>
      {description && <p className="muted fieldset-description">{description}</p>}
      <div className="fieldset-body">{children}</div>
    </fieldset>
  );
}

/** One choice of a CheckListField, with its explanation. */
export interface CheckChoice {
  value: string;
  description?: string | undefined;
}

/**
 * A list of checkboxes choosing several values, in the order given; values chosen but not offered are listed
 * after the others (so they can be seen and unticked). `noteFor` adds a mark after a value; `empty` is shown when
 * there is nothing to choose.
 */
export function CheckListField({
  path,
  label,
  help,
  error,
  choices,
  chosen,
  onChange,
  wide,
  noteFor,
  empty,
}: FieldBase & {
  choices: CheckChoice[];
  chosen: readonly string[];
  onChange: (chosen: string[]) => void;
  wide?: boolean;
  noteFor?: (value: string) => ReactNode;
  empty?: ReactNode;
}) {
  const id = fieldId(path);
  const all: CheckChoice[] = [...choices, ...chosen.filter((v) => !choices.some((c) => c.value === v)).map((value) => ({ value }))];
  return (
    <div className={`field${error ? ' field-invalid' : ''}`} role="group" aria-labelledby={`${id}-label`} aria-describedby={describedBy(id, help, error) || undefined}>
      <p className="label" id={`${id}-label`}>
        {label}
      </p>
      {all.length === 0 && empty}
      <div className={`check-grid${wide ? ' check-grid-wide' : ''}`}>
        {all.map((choice) => (
          <label key={choice.value} className="check-row" title={choice.description}>
            <input
              type="checkbox"
              name={path}
              value={choice.value}
              checked={chosen.includes(choice.value)}
              onChange={(e) => onChange(e.target.checked ? [...chosen, choice.value] : chosen.filter((v) => v !== choice.value))}
            />
            <span>
              <span className="mono small">{choice.value}</span>
              {noteFor?.(choice.value)}
              {choice.description && <span className="help">{choice.description}</span>}
            </span>
          </label>
        ))}
      </div>
      <FieldNotes id={id} help={help} error={error} />
    </div>
  );
}
