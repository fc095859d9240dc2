import { useId, type ComponentPropsWithRef } from 'react';

const CONTROL =
  'block w-full min-w-0 rounded-md border-0 bg-white px-2 py-1.5 text-sm text-slate-900 shadow-sm ring-1 ring-inset ' +
  'placeholder:text-slate-400 focus:ring-2 focus:ring-inset focus:outline-none';

function classes(error: string | undefined, mono: boolean): string {
  return `${CONTROL} ${mono ? 'font-mono' : ''} ${error ? 'ring-red-400 focus:ring-red-500' : 'ring-slate-300 focus:ring-indigo-600'}`;
}

function ErrorText({ id, error }: { id: string; error: string | undefined }) {
  return error ? (
    <p id={id} className="mt-1 text-xs font-medium text-red-600">
      {error}
    </p>
  ) : null;
}

type InlineProps = {
  /** The accessible name: table cells have their column header, not a label. */
  label: string;
  error?: string | undefined;
  mono?: boolean;
};

/** A compact input for a table cell, named by aria-label, with its error under it. */
export function InlineField({ label, error, mono = false, ...input }: InlineProps & Omit<ComponentPropsWithRef<'input'>, 'className'>) {
  const errorId = useId();
  return (
    <div>
      <input
        aria-label={label}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        className={classes(error, mono)}
        {...input}
      />
      <ErrorText id={errorId} error={error} />
    </div>
  );
}

export function InlineSelect({
  label,
  error,
  options,
  ...select
}: InlineProps & Omit<ComponentPropsWithRef<'select'>, 'className'> & { options: string[] }) {
  const errorId = useId();
  return (
    <div>
      <select
        aria-label={label}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        className={`${classes(error, false)} pr-7`}
        {...select}
      >
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
      <ErrorText id={errorId} error={error} />
    </div>
  );
}
