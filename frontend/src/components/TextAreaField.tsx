import { useId, type ComponentPropsWithRef, type ReactNode } from 'react';

/** A labelled, monospaced text area with its hint or error (zone files, long lists). */
export default function TextAreaField({
  label,
  error,
  hint,
  className = '',
  id,
  ...area
}: { label: ReactNode; error?: string | undefined; hint?: ReactNode; className?: string } & Omit<
  ComponentPropsWithRef<'textarea'>,
  'className'
>) {
  const ownId = useId();
  const areaId = id ?? ownId;
  const noteId = `${areaId}-note`;
  const note = error ?? hint;
  return (
    <div className={className}>
      <label htmlFor={areaId} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      <textarea
        id={areaId}
        aria-invalid={error ? true : undefined}
        aria-describedby={note !== undefined ? noteId : undefined}
        className={`mt-1.5 block w-full rounded-md border-0 bg-white px-3 py-2 font-mono text-xs leading-5 text-slate-900 shadow-sm ring-1 ring-inset placeholder:text-slate-400 focus:ring-2 focus:ring-inset focus:outline-none ${
          error ? 'ring-red-400 focus:ring-red-500' : 'ring-slate-300 focus:ring-indigo-600'
        }`}
        {...area}
      />
      {note !== undefined && (
        <p id={noteId} className={`mt-1.5 text-xs ${error ? 'font-medium text-red-600' : 'text-slate-500'}`}>
          {note}
        </p>
      )}
    </div>
  );
}
