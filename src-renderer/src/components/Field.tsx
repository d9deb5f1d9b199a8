/**
 * One labelled form row and one form error line, so every form names its controls the same way (WCAG 1.3.1,
 * 3.3.1, 3.3.2): the <label> is bound to the control by id, a hint or the field's error is tied to it by
 * aria-describedby, and an error is announced (role=alert).
 */
import { useId, type InputHTMLAttributes, type ReactNode } from 'react';

/** What `Field` hands its control to spread: its id and, with a hint or error, the lines describing it. */
export interface FieldControlProps {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: true;
}

export interface FieldProps {
  label: ReactNode;
  /** A line under the control saying what it takes; named by the control's aria-describedby. */
  hint?: ReactNode;
  /** This field's error, under the control (role=alert) and named by its aria-describedby; none: no line. */
  error?: string | null;
  /** The narrow variant used inside a `field-row`. */
  compact?: boolean;
  /** A toolbar control: the label beside it (`inline-field`), e.g. the provider of a schedule or a template. */
  inline?: boolean;
  /** The control, rendered with the props it must carry (`<input {...control} />`). */
  children: (control: FieldControlProps) => ReactNode;
}

/** A label, its control, and the control's hint and error lines. */
export function Field({ label, hint, error, compact, inline, children }: FieldProps) {
  const id = useId();
  const hintId = hint !== undefined ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ');
  return (
    <div className={inline ? 'inline-field' : compact ? 'field field-compact' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
        ...(error ? { 'aria-invalid': true as const } : {}),
      })}
      {hintId ? (
        <p id={hintId} className="hint">
          {hint}
        </p>
      ) : null}
      {errorId ? (
        <p id={errorId} className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** What a `Field` shows around its control: label, hint, error, width. */
export type FieldFrame = Omit<FieldProps, 'children'>;

/** One option of a `SelectField`. */
export interface Choice {
  value: string;
  label: ReactNode;
}

/** A labelled <select> of `options`; `onChange` gets the chosen value. */
export function SelectField({
  value,
  onChange,
  options,
  disabled,
  ...frame
}: FieldFrame & {
  value: string;
  onChange: (value: string) => void;
  options: readonly Choice[];
  disabled?: boolean;
}) {
  return (
    <Field {...frame}>
      {(control) => (
        <select {...control} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value)}>
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

/** A labelled <input> (any type: text, date, number...); `onChange` gets its value. */
export function InputField({
  label,
  hint,
  error,
  compact,
  onChange,
  ...input
}: FieldFrame &
  Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'onChange' | 'value'> & {
    value: string;
    onChange: (value: string) => void;
  }) {
  return (
    <Field label={label} hint={hint} error={error} compact={compact}>
      {(control) => <input {...input} {...control} onChange={(e) => onChange(e.target.value)} />}
    </Field>
  );
}

/**
 * The form's error line: always in the page (so screen readers announce a new message at once, role=alert),
 * empty while there is no error.
 */
export function FormError({ error }: { error: string | null }) {
  return (
    <div className="form-error" role="alert">
      {error ? <p>{error}</p> : null}
    </div>
  );
}
