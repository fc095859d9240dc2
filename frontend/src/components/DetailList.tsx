import type { ReactNode } from 'react';

/** A term and its value; the term is also the row's key, so it must be unique. */
export type Detail = readonly [string, ReactNode];

export interface DetailListProps {
  rows: readonly Detail[];
  /** 'rows': a term and its value a line (details cards); 'columns': side by side, terms above values. */
  layout?: 'rows' | 'columns';
}

/** A description list of label/value pairs. */
export default function DetailList({ rows, layout = 'rows' }: DetailListProps) {
  if (layout === 'columns') {
    return (
      <dl className="grid grid-cols-1 gap-4 sm:grid-cols-3">
        {rows.map(([term, value]) => (
          <div key={term}>
            <dt className="text-xs font-medium tracking-wide text-slate-500 uppercase">{term}</dt>
            <dd className="mt-0.5 text-sm text-slate-900">{value}</dd>
          </div>
        ))}
      </dl>
    );
  }
  return (
    <dl className="divide-y divide-slate-100">
      {rows.map(([term, value]) => (
        <div key={term} className="grid grid-cols-1 gap-1 py-3 first:pt-0 last:pb-0 sm:grid-cols-3 sm:gap-4">
          <dt className="text-sm font-medium text-slate-500">{term}</dt>
          <dd className="text-sm text-slate-900 sm:col-span-2">{value}</dd>
        </div>
      ))}
    </dl>
  );
}
