import { limitLabel, usageText } from '../lib/planForm';
import { percent } from '../lib/format';
import type { LimitUsage } from '../types';
import ProgressBar from './ProgressBar';

/** Amber from 80 %, red at the limit: where the next site or zone is refused. */
function tone(share: number): 'indigo' | 'amber' | 'red' {
  if (share >= 100) return 'red';
  if (share >= 80) return 'amber';
  return 'indigo';
}

/** Each limit of a plan with what is used of it; a bar where both are numbers. */
export default function PlanUsage({ limits }: { limits: LimitUsage[] }) {
  return (
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
  );
}
