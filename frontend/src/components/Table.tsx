import type { ReactNode } from 'react';

export interface Column<Row> {
  key: string;
  header: ReactNode;
  cell: (row: Row) => ReactNode;
  /** Extra classes for this column's cells, e.g. to hide it on narrow screens. */
  className?: string;
  align?: 'left' | 'right';
}

export interface TableProps<Row> {
  columns: Column<Row>[];
  rows: Row[];
  /** A stable key per row; the index is there for rows without an identity. */
  rowKey: (row: Row, index: number) => string;
  /** Read by screen readers only. */
  caption: string;
  /** Shown in place of the table when there are no rows. */
  empty?: ReactNode;
}

export default function Table<Row>({ columns, rows, rowKey, caption, empty }: TableProps<Row>) {
  if (rows.length === 0 && empty !== undefined) {
    return <>{empty}</>;
  }
  return (
    <div className="overflow-x-auto">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-50">
          <tr>
            {columns.map((column) => (
              <th
                key={column.key}
                scope="col"
                className={`px-4 py-2.5 text-xs font-semibold tracking-wide text-slate-500 uppercase ${
                  column.align === 'right' ? 'text-right' : 'text-left'
                } ${column.className ?? ''}`}
              >
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 bg-white">
          {rows.map((row, index) => (
            <tr key={rowKey(row, index)} className="hover:bg-slate-50/70">
              {columns.map((column) => (
                <td
                  key={column.key}
                  className={`px-4 py-3 align-middle text-slate-700 ${
                    column.align === 'right' ? 'text-right' : 'text-left'
                  } ${column.className ?? ''}`}
                >
                  {column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
