import { limitLabel, usageText } from '../lib/planForm';
import { percent } from '../lib/format';
import type { LimitUsage } from '../types';
import ProgressBar from './ProgressBar';

// From here on the account is warned (the disk quota's 90 %, docs/plans.md).
const WARN_AT = 90;

/** Amber from 90 %, red at the limit: where the next site or zone is refused. */
function tone(share: number): 'indigo' | 'amber' | 'red' {
  if (share >= 100) return 'red';
  if (share >= WARN_AT) return 'amber';
  return 'indigo';
}

function diskShare(limits: LimitUsage[]): number | null {
  const disk = limits.find(({ limit }) => limit === 'disk_mb');
  if (disk === undefined || disk.allowed === null || disk.used === null) return null;
  return disk.allowed === 0 ? 100 : percent(disk.used, disk.allowed);
}

/** Each limit of a plan with what is used of it; a bar where both are numbers. */
export default function PlanUsage({ limits }: { limits: LimitUsage[] }) {
  const disk = diskShare(limits);
  return (
    <>
      {disk !== null && disk >= WARN_AT && (
        <p role="alert" className="mb-4 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800">
          {disk >= 100
            ? 'The disk quota is used up.'
            : `${Math.round(disk)} % of the disk quota is used.`}
        </p>
      )}
      <dl className="grid grid-cols-1 gap-x-6 gap-y-4 sm:grid-cols-2 lg:grid-cols-3">
        {limits.map(({ limit, allowed, used }) => {
          const label = limitLabel(limit);
          // None of a limit of 0 is still all of it.
          const share = allowed === 0 ? 100 : percent(used ?? 0, allowed ?? 0);
          return (
            <div key={limit} className="grid min-w-0 grid-cols-[1fr_auto] items-baseline gap-x-2 gap-y-1.5 text-sm">
              <dt className="truncate font-medium text-slate-700">{label}</dt>
              <dd className="text-slate-500 tabular-nums">{usageText(allowed, used)}</dd>
              {allowed !== null && used !== null && (
                <dd className="col-span-2">
                  <ProgressBar value={share} label={`${label} used`} tone={tone(share)} />
                </dd>
              )}
            </div>
          );
        })}
      </dl>
    </>
  );
}
