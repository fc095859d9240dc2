import { router } from '@inertiajs/react';
import { useState } from 'react';
import Button from '../../components/Button';
import Card from '../../components/Card';
import EmptyState from '../../components/EmptyState';
import Layout from '../../components/Layout';
import Pagination from '../../components/Pagination';
import Table from '../../components/Table';
import { formatDateTime } from '../../lib/format';
import type { AuditEvent, AuditIndexProps, PageProps } from '../../types';

function detailText(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? String(value);
}

function Details({ details }: { details: Record<string, unknown> }) {
  const entries = Object.entries(details);
  if (entries.length === 0) {
    return <span className="text-slate-400">—</span>;
  }
  return (
    <ul className="flex max-w-md flex-wrap gap-1">
      {entries.map(([key, value]) => (
        <li
          key={key}
          className="max-w-full truncate rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-600"
          title={`${key}: ${detailText(value)}`}
        >
          <span className="text-slate-400">{key}=</span>
          {detailText(value)}
        </li>
      ))}
    </ul>
  );
}

/** Failed logins and refusals stand out from routine events. */
function actionTone(action: string): string {
  return /fail|denied|refused|locked|throttl/i.test(action)
    ? 'bg-red-50 text-red-700 ring-red-600/20'
    : 'bg-slate-50 text-slate-700 ring-slate-500/20';
}

function Filter({ initial }: { initial: string }) {
  const [action, setAction] = useState(initial);
  const go = (value: string) =>
    router.get('/audit', value === '' ? {} : { action: value }, { preserveState: true, replace: true });
  return (
    <form
      role="search"
      className="flex w-full gap-2 sm:w-auto"
      onSubmit={(event) => {
        event.preventDefault();
        go(action.trim());
      }}
    >
      <label htmlFor="audit-action" className="sr-only">
        Filter by action
      </label>
      <input
        id="audit-action"
        type="search"
        placeholder="Action, e.g. login.failed"
        value={action}
        onChange={(event) => setAction(event.target.value)}
        className="block w-full min-w-0 rounded-md border-0 px-3 py-1.5 font-mono text-sm text-slate-900 shadow-sm ring-1 ring-slate-300 ring-inset placeholder:font-sans placeholder:text-slate-400 focus:ring-2 focus:ring-indigo-600 focus:outline-none sm:w-64"
      />
      <Button type="submit" variant="secondary" size="sm">
        Filter
      </Button>
      {initial !== '' && (
        <Button
          variant="ghost"
          size="sm"
          onClick={() => {
            setAction('');
            go('');
          }}
        >
          Clear
        </Button>
      )}
    </form>
  );
}

export default function Index({ events }: PageProps<AuditIndexProps>) {
  return (
    <Layout title="Audit log" description="Logins, failed logins and every change made through the panel, the API and super-cli.">
      <Card title={events.action === '' ? 'All events' : `Events: ${events.action}`} actions={<Filter initial={events.action} />} flush>
        <Table<AuditEvent>
          caption="Audit events"
          rows={events.items}
          rowKey={(event, index) => `${index}:${event.time}`}
          empty={
            <EmptyState
              title="No events"
              description={events.action === '' ? 'Nothing has been recorded yet.' : `No events with action “${events.action}”.`}
            />
          }
          columns={[
            {
              key: 'time',
              header: 'Time',
              className: 'hidden whitespace-nowrap tabular-nums sm:table-cell',
              cell: (event) => formatDateTime(event.time),
            },
            {
              key: 'actor',
              header: 'Actor',
              cell: (event) => (
                <div>
                  <div className="font-medium text-slate-900">{event.actor ?? <span className="text-slate-400">system</span>}</div>
                  {/* Narrow screens have no time and IP columns. */}
                  {event.ip !== null && <div className="font-mono text-xs text-slate-500 md:hidden">{event.ip}</div>}
                  <div className="text-xs whitespace-nowrap text-slate-500 tabular-nums sm:hidden">{formatDateTime(event.time)}</div>
                </div>
              ),
            },
            {
              key: 'ip',
              header: 'IP address',
              className: 'hidden md:table-cell',
              cell: (event) => <span className="font-mono text-xs">{event.ip ?? '—'}</span>,
            },
            {
              key: 'action',
              header: 'Action',
              cell: (event) => (
                <div>
                  <span className={`inline-block rounded px-1.5 py-0.5 font-mono text-xs ring-1 ring-inset ${actionTone(event.action)}`}>
                    {event.action}
                  </span>
                  <div className="mt-1 text-xs break-all text-slate-500 sm:hidden">{event.target}</div>
                </div>
              ),
            },
            {
              key: 'target',
              header: 'Target',
              className: 'hidden sm:table-cell',
              cell: (event) => <span className="break-all">{event.target}</span>,
            },
            {
              key: 'details',
              header: 'Details',
              className: 'hidden lg:table-cell',
              cell: (event) => <Details details={event.details} />,
            },
          ]}
        />
        <Pagination page={events.page} pages={events.pages} path="/audit" params={{ action: events.action }} />
      </Card>
    </Layout>
  );
}
