import { useId, type ComponentPropsWithRef, type ReactNode } from 'react';

const CONTROL =
  'block w-full rounded-md border-0 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm ring-1 ring-inset ' +
  'placeholder:text-slate-400 focus:ring-2 focus:ring-inset focus:outline-none disabled:bg-slate-50 disabled:text-slate-500';

function controlClasses(error: string | undefined): string {
  return `${CONTROL} ${error ? 'ring-red-400 focus:ring-red-500' : 'ring-slate-300 focus:ring-indigo-600'}`;
}

interface FieldFrame {
  label: ReactNode;
  /** The server's (or the form's) message for this field; shown under it. */
  error?: string | undefined;
  hint?: ReactNode;
  className?: string;
}

/** The ids that tie a control to its hint and error text. */
function describedBy(hintId: string, errorId: string, hint: ReactNode, error: string | undefined): string | undefined {
  const ids = [hint !== undefined ? hintId : null, error ? errorId : null].filter((id) => id !== null);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

function FieldText({ id, error, hint, hintId }: { id: string; error: string | undefined; hint: ReactNode; hintId: string }) {
  return (
    <>
      {hint !== undefined && !error && (
        <p id={hintId} className="mt-1.5 text-xs text-slate-500">
          {hint}
        </p>
      )}
      {error && (
        <p id={id} className="mt-1.5 text-xs font-medium text-red-600">
          {error}
        </p>
      )}
    </>
  );
}

export type FormFieldProps = FieldFrame & Omit<ComponentPropsWithRef<'input'>, 'className'>;

/** A labelled input with its error text. */
export function FormField({ label, error, hint, className = '', id, ...input }: FormFieldProps) {
  const ownId = useId();
  const inputId = id ?? ownId;
  const hintId = `${inputId}-hint`;
  const errorId = `${inputId}-error`;
  return (
    <div className={className}>
      <label htmlFor={inputId} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      <div className="mt-1.5">
        <input
          id={inputId}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy(hintId, errorId, error ? undefined : hint, error)}
          className={controlClasses(error)}
          {...input}
        />
      </div>
      <FieldText id={errorId} error={error} hint={hint} hintId={hintId} />
    </div>
  );
}

export type SelectFieldProps = FieldFrame &
  Omit<ComponentPropsWithRef<'select'>, 'className'> & {
    options: { value: string; label: string }[];
  };

export function SelectField({ label, error, hint, className = '', id, options, ...select }: SelectFieldProps) {
  const ownId = useId();
  const selectId = id ?? ownId;
  const hintId = `${selectId}-hint`;
  const errorId = `${selectId}-error`;
  return (
    <div className={className}>
      <label htmlFor={selectId} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      <div className="mt-1.5">
        <select
          id={selectId}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy(hintId, errorId, error ? undefined : hint, error)}
          className={`${controlClasses(error)} pr-8`}
          {...select}
        >
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      </div>
      <FieldText id={errorId} error={error} hint={hint} hintId={hintId} />
    </div>
  );
}

export type CheckboxFieldProps = FieldFrame & Omit<ComponentPropsWithRef<'input'>, 'className' | 'type'>;

export function CheckboxField({ label, error, hint, className = '', id, ...input }: CheckboxFieldProps) {
  const ownId = useId();
  const inputId = id ?? ownId;
  const hintId = `${inputId}-hint`;
  const errorId = `${inputId}-error`;
  return (
    <div className={className}>
      <div className="flex items-start gap-3">
        <input
          id={inputId}
          type="checkbox"
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy(hintId, errorId, error ? undefined : hint, error)}
          className="mt-0.5 size-4 rounded border-slate-300 text-indigo-600 accent-indigo-600 focus:ring-indigo-600"
          {...input}
        />
        <div>
          <label htmlFor={inputId} className="text-sm font-medium text-slate-700">
            {label}
          </label>
          <FieldText id={errorId} error={error} hint={hint} hintId={hintId} />
        </div>
      </div>
    </div>
  );
}

/**
 * Errors that belong to no field of the form (Django's "__all__", a throttled
 * login): shown above the fields so they are not lost.
 */
export function FormAlert({ errors, fields }: { errors: Partial<Record<string, string>>; fields: readonly string[] }) {
  const messages = Object.entries(errors)
    .filter(([field, message]) => !fields.includes(field) && message)
    .map(([, message]) => message);
  if (messages.length === 0) {
    return null;
  }
  return (
    <div role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700 ring-1 ring-inset ring-red-200">
      {messages.map((message) => (
        <p key={message}>{message}</p>
      ))}
    </div>
  );
}

export default FormField;
