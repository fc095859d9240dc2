import type { ReactNode } from 'react';

export interface CardProps {
  title?: ReactNode;
  description?: ReactNode;
  /** Buttons or links at the right of the title. */
  actions?: ReactNode;
  children: ReactNode;
  /** Drop the body padding, for tables that run edge to edge. */
  flush?: boolean;
  className?: string;
}

export default function Card({ title, description, actions, children, flush = false, className = '' }: CardProps) {
  return (
    <section className={`overflow-hidden rounded-xl bg-white shadow-sm ring-1 ring-slate-200 ${className}`}>
      {(title !== undefined || actions !== undefined) && (
        <header className="flex flex-wrap items-center justify-between gap-3 border-b border-slate-200 px-4 py-3 sm:px-5">
          <div className="min-w-0">
            {title !== undefined && <h2 className="text-sm font-semibold text-slate-900">{title}</h2>}
            {description !== undefined && <p className="mt-0.5 text-sm text-slate-500">{description}</p>}
          </div>
          {actions !== undefined && <div className="flex flex-wrap items-center gap-2">{actions}</div>}
        </header>
      )}
      <div className={flush ? '' : 'p-4 sm:p-5'}>{children}</div>
    </section>
  );
}
