export interface ProgressBarProps {
  /** 0–100; null for "working, amount unknown". */
  value: number | null;
  label: string;
  tone?: 'indigo' | 'green' | 'amber' | 'red';
  size?: 'sm' | 'md';
}

const FILL = { indigo: 'bg-indigo-600', green: 'bg-emerald-500', amber: 'bg-amber-500', red: 'bg-red-500' } as const;

export default function ProgressBar({ value, label, tone = 'indigo', size = 'sm' }: ProgressBarProps) {
  const clamped = value === null ? null : Math.min(100, Math.max(0, value));
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={clamped ?? undefined}
      className={`w-full overflow-hidden rounded-full bg-slate-200 ${size === 'sm' ? 'h-1.5' : 'h-2.5'}`}
    >
      {clamped === null ? (
        <div className={`h-full w-1/3 animate-pulse rounded-full ${FILL[tone]}`} />
      ) : (
        <div className={`h-full rounded-full transition-[width] duration-500 ${FILL[tone]}`} style={{ width: `${clamped}%` }} />
      )}
    </div>
  );
}
