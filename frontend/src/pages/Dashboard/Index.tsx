import Badge, { type Tone } from '../../components/Badge';
import Card from '../../components/Card';
import EmptyState from '../../components/EmptyState';
import Layout from '../../components/Layout';
import PlanUsage from '../../components/PlanUsage';
import ProgressBar from '../../components/ProgressBar';
import Table from '../../components/Table';
import { formatBytes, formatDuration, percent } from '../../lib/format';
import { useLiveSystem } from '../../lib/useLiveSystem';
import type { DashboardProps, DiskInfo, PageProps, ServiceInfo, ServiceState, SystemInfo } from '../../types';

const SERVICE_TONES: Record<ServiceState, Tone> = {
  running: 'green',
  stopped: 'slate',
  failed: 'red',
  'not-installed': 'slate',
  unknown: 'amber',
};

const SERVICE_LABELS: Record<ServiceState, string> = {
  running: 'Running',
  stopped: 'Stopped',
  failed: 'Failed',
  'not-installed': 'Not installed',
  unknown: 'Unknown',
};

/** Amber from 80 %, red from 90 %: where a full disk starts to hurt. */
function usageTone(used: number): 'indigo' | 'amber' | 'red' {
  if (used >= 90) return 'red';
  if (used >= 80) return 'amber';
  return 'indigo';
}

function Stat({ label, value, hint }: { label: string; value: number; hint?: string }) {
  return (
    <div className="min-w-0 rounded-xl bg-white px-3 py-3 shadow-sm ring-1 ring-slate-200 sm:px-5 sm:py-4">
      <dt className="truncate text-xs font-medium text-slate-500 sm:text-sm">{label}</dt>
      <dd className="mt-1 flex items-baseline gap-2">
        <span className="text-2xl font-semibold tracking-tight text-slate-900 tabular-nums sm:text-3xl">{value}</span>
        {hint !== undefined && <span className="hidden text-sm text-slate-500 sm:inline">{hint}</span>}
      </dd>
    </div>
  );
}

function Meter({ label, used, total }: { label: string; used: number; total: number }) {
  const share = percent(used, total);
  return (
    <div>
      <div className="mb-1.5 flex items-baseline justify-between gap-2 text-sm">
        <span className="font-medium text-slate-700">{label}</span>
        <span className="text-slate-500 tabular-nums">
          {total > 0 ? `${formatBytes(used)} of ${formatBytes(total)} · ${share}%` : 'none'}
        </span>
      </div>
      <ProgressBar value={share} label={`${label} used`} tone={usageTone(share)} />
    </div>
  );
}

function Facts({ system }: { system: SystemInfo }) {
  const facts: [string, string][] = [
    ['Hostname', system.hostname],
    ['Operating system', system.os.pretty_name],
    ['Kernel', system.kernel],
    ['Uptime', formatDuration(system.uptime_seconds)],
    ['Load (1, 5, 15 min)', system.load.map((value) => value.toFixed(2)).join('  ')],
    ['Daemon', system.daemon_version],
  ];
  return (
    <dl className="grid grid-cols-1 gap-x-6 gap-y-4 sm:grid-cols-2">
      {facts.map(([term, value]) => (
        <div key={term} className="min-w-0">
          <dt className="text-xs font-medium tracking-wide text-slate-500 uppercase">{term}</dt>
          <dd className="mt-0.5 truncate text-sm text-slate-900 tabular-nums" title={value}>
            {value}
          </dd>
        </div>
      ))}
    </dl>
  );
}

function LiveIndicator({ live }: { live: boolean }) {
  return live ? (
    <Badge tone="green" dot>
      Live
    </Badge>
  ) : null;
}

export default function Index({ system: initial, daemon_error, counts, plan, auth }: PageProps<DashboardProps>) {
  const { system, live } = useLiveSystem(initial);
  const isAdmin = auth.user?.role === 'admin';

  return (
    <Layout title="Dashboard" description={system ? `${system.hostname} · ${system.os.pretty_name}` : undefined}>
      <div className="space-y-6">
        {daemon_error !== null && (
          <div role="alert" className="rounded-lg bg-amber-50 px-4 py-3 text-sm text-amber-900 ring-1 ring-amber-600/20 ring-inset">
            <p className="font-medium">The system daemon did not answer.</p>
            <p className="mt-0.5">{daemon_error}</p>
          </div>
        )}

        <dl className={`grid gap-3 sm:gap-4 ${isAdmin ? 'grid-cols-3' : 'grid-cols-2'}`}>
          <Stat label="Hosting accounts" value={counts.accounts} />
          <Stat label="Suspended" value={counts.suspended} hint={counts.suspended > 0 ? 'need attention' : undefined} />
          {isAdmin && <Stat label="Resellers" value={counts.resellers} />}
        </dl>

        {plan !== null && (
          <Card title={`Your plan: ${plan.name}`} description="What your account uses of its limits.">
            <PlanUsage limits={plan.limits} />
          </Card>
        )}

        {system === null ? (
          <Card>
            <EmptyState
              title="System facts are unavailable"
              description="They appear here as soon as the panel can reach super-daemon."
            />
          </Card>
        ) : (
          <>
            <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
              <Card title="System" actions={<LiveIndicator live={live} />}>
                <Facts system={system} />
              </Card>
              <Card title="Memory and disks">
                <div className="space-y-4">
                  <Meter label="Memory" used={system.memory.total - system.memory.available} total={system.memory.total} />
                  <Meter label="Swap" used={system.memory.swap_total - system.memory.swap_free} total={system.memory.swap_total} />
                  {system.disks.map((disk: DiskInfo) => (
                    <Meter key={disk.mount} label={`Disk ${disk.mount}`} used={disk.used} total={disk.total} />
                  ))}
                </div>
              </Card>
            </div>

            <Card title="Services" description="Services the panel manages, their units and package versions." flush>
              <Table<ServiceInfo>
                caption="Services"
                rows={system.services}
                rowKey={(service) => service.unit}
                empty={<EmptyState title="No services reported" />}
                columns={[
                  {
                    key: 'name',
                    header: 'Service',
                    cell: (service) => (
                      <div>
                        <div className="font-medium text-slate-900">{service.name}</div>
                        <div className="text-xs text-slate-500 tabular-nums sm:hidden">{service.version ?? '—'}</div>
                      </div>
                    ),
                  },
                  {
                    key: 'unit',
                    header: 'Unit',
                    className: 'hidden md:table-cell',
                    cell: (service) => <code className="font-mono text-xs text-slate-600">{service.unit}</code>,
                  },
                  {
                    key: 'package',
                    header: 'Package',
                    className: 'hidden sm:table-cell',
                    cell: (service) => service.package,
                  },
                  {
                    key: 'version',
                    header: 'Version',
                    className: 'hidden sm:table-cell',
                    cell: (service) => <span className="tabular-nums">{service.version ?? '—'}</span>,
                  },
                  {
                    key: 'state',
                    header: 'State',
                    align: 'right',
                    cell: (service) => (
                      <Badge tone={SERVICE_TONES[service.state]} dot>
                        {SERVICE_LABELS[service.state]}
                      </Badge>
                    ),
                  },
                ]}
              />
            </Card>
          </>
        )}
      </div>
    </Layout>
  );
}
