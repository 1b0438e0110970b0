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
  const described = [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className={`field${error ? ' field-invalid' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-describedby': described, 'aria-invalid': !!error, name: path })}
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
    </div>
  );
}

export function TextField({
  path,
  label,
  help,
  error,
  value,
  onChange,
  type = 'text',
  disabled,
  placeholder,
  autoComplete,
  inputMode,
  required,
}: {
  path: string;
  label: ReactNode;
  help?: ReactNode;
  error?: string | undefined;
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
    <Field path={path} label={label} help={help} error={error}>
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
  path,
  label,
  help,
  error,
  value,
  onChange,
  options,
  disabled,
}: {
  path: string;
  label: ReactNode;
  help?: ReactNode;
  error?: string | undefined;
  value: V;
  onChange: (value: V) => void;
  options: { value: V; label: string }[];
  disabled?: boolean;
}) {
  return (
    <Field path={path} label={label} help={help} error={error}>
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
}: {
  path: string;
  label: ReactNode;
  help?: ReactNode;
  error?: string | undefined;
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
}) {
  const id = fieldId(path);
  const described = [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className={`field field-check${error ? ' field-invalid' : ''}`}>
      <div className="check-row">
        <input
          id={id}
          name={path}
          type="checkbox"
          checked={checked}
          disabled={disabled}
          aria-describedby={described}
          aria-invalid={!!error}
          onChange={(e) => onChange(e.target.checked)}
        />
        <label htmlFor={id}>{label}</label>
      </div>
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
