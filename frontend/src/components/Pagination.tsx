import { Link } from '@inertiajs/react';
import { withQuery } from '../lib/url';

export interface PaginationProps {
  page: number;
  pages: number;
  path: string;
  /** Query parameters every page link keeps (the search, the filter). */
  params?: Record<string, string | number | null | undefined>;
}

/** Page numbers to show: the first, the last, and two either side of the current one. */
export function pageWindow(page: number, pages: number): (number | 'gap')[] {
  const wanted = new Set([1, pages]);
  for (let n = page - 2; n <= page + 2; n += 1) {
    if (n >= 1 && n <= pages) wanted.add(n);
  }
  const sorted = [...wanted].sort((a, b) => a - b);
  const result: (number | 'gap')[] = [];
  let previous = 0;
  for (const n of sorted) {
    if (n - previous > 1) result.push('gap');
    result.push(n);
    previous = n;
  }
  return result;
}

const ITEM = 'inline-flex min-w-9 items-center justify-center rounded-md px-2.5 py-1.5 text-sm font-medium';

export default function Pagination({ page, pages, path, params = {} }: PaginationProps) {
  if (pages <= 1) {
    return null;
  }
  const href = (n: number) => withQuery(path, { ...params, page: n === 1 ? null : n });
  const linkOptions = { preserveState: true, preserveScroll: true } as const;
  return (
    <nav aria-label="Pagination" className="flex items-center justify-between gap-2 border-t border-slate-200 px-4 py-3">
      <p className="text-sm text-slate-500">
        Page <span className="font-medium text-slate-700">{page}</span> of{' '}
        <span className="font-medium text-slate-700">{pages}</span>
      </p>
      <ul className="flex items-center gap-1">
        <li>
          {page > 1 ? (
            <Link href={href(page - 1)} rel="prev" className={`${ITEM} text-slate-600 hover:bg-slate-100`} {...linkOptions}>
              Previous
            </Link>
          ) : (
            <span aria-disabled="true" className={`${ITEM} cursor-not-allowed text-slate-300`}>
              Previous
            </span>
          )}
        </li>
        {pageWindow(page, pages).map((item, index) =>
          item === 'gap' ? (
            <li key={`gap-${index}`} aria-hidden="true" className="hidden px-1 text-slate-400 sm:block">
              …
            </li>
          ) : (
            <li key={item} className="hidden sm:block">
              <Link
                href={href(item)}
                aria-current={item === page ? 'page' : undefined}
                aria-label={`Page ${item}`}
                className={`${ITEM} ${
                  item === page ? 'bg-indigo-600 text-white' : 'text-slate-600 hover:bg-slate-100'
                }`}
                {...linkOptions}
              >
                {item}
              </Link>
            </li>
          ),
        )}
        <li>
          {page < pages ? (
            <Link href={href(page + 1)} rel="next" className={`${ITEM} text-slate-600 hover:bg-slate-100`} {...linkOptions}>
              Next
            </Link>
          ) : (
            <span aria-disabled="true" className={`${ITEM} cursor-not-allowed text-slate-300`}>
              Next
            </span>
          )}
        </li>
      </ul>
    </nav>
  );
}
