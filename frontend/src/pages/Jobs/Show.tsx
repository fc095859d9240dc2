import { router } from '@inertiajs/react';
import { useEffect } from 'react';
import Badge, { type Tone } from '../../components/Badge';
import Button from '../../components/Button';
import Card from '../../components/Card';
import Layout from '../../components/Layout';
import ProgressBar from '../../components/ProgressBar';
import { isFinished, useLiveJob } from '../../lib/useLiveJob';
import type { JobStatus, JobsShowProps, PageProps } from '../../types';

const STATUS: Record<JobStatus, { label: string; tone: Tone }> = {
  ready: { label: 'Queued', tone: 'slate' },
  running: { label: 'Running', tone: 'blue' },
  successful: { label: 'Done', tone: 'green' },
  failed: { label: 'Failed', tone: 'red' },
};

const POLL_MS = 1000;

/**
 * Reloads the job prop every second until the job is finished: only when the
 * job's socket could not be opened. The next reload starts only when the last
 * one is done, so a slow server never gets a pile of overlapping requests.
 */
function usePollJob(active: boolean): void {
  useEffect(() => {
    if (!active) return undefined;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const tick = () => {
      router.reload({
        only: ['job'],
        onFinish: () => {
          if (!stopped) timer = setTimeout(tick, POLL_MS);
        },
      });
    };
    timer = setTimeout(tick, POLL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [active]);
}

export default function Show({ job: rendered }: PageProps<JobsShowProps>) {
  const live = useLiveJob(rendered.id);
  // Pushed values are newer than the props, unless polling took over from the socket.
  const job = live.value !== null && !live.gaveUp ? live.value : rendered;
  const finished = isFinished(job.status);
  usePollJob(live.gaveUp && !finished);
  const status = STATUS[job.status];
  const progress = job.status === 'successful' ? 100 : job.status === 'running' ? job.progress : job.progress ?? 0;

  return (
    <Layout title={job.name} description="Background job">
      <Card
        title="Progress"
        actions={
          <Badge tone={status.tone} dot>
            {status.label}
          </Badge>
        }
      >
        <div className="space-y-5">
          <div aria-live="polite" className="space-y-2">
            <div className="flex items-baseline justify-between text-sm">
              <span className="text-slate-600">
                {job.status === 'ready' && 'Waiting for the worker to pick the job up…'}
                {job.status === 'running' && 'Working…'}
                {job.status === 'successful' && 'Finished.'}
                {job.status === 'failed' && 'The job stopped with an error.'}
              </span>
              {progress !== null && <span className="font-medium text-slate-900 tabular-nums">{Math.round(progress)}%</span>}
            </div>
            <ProgressBar
              value={progress}
              label={`${job.name} progress`}
              size="md"
              tone={job.status === 'failed' ? 'red' : job.status === 'successful' ? 'green' : 'indigo'}
            />
          </div>

          {job.result !== null && (
            <div>
              <h2 className="text-xs font-medium tracking-wide text-slate-500 uppercase">Result</h2>
              <pre className="mt-1 overflow-x-auto rounded-md bg-slate-50 px-3 py-2 font-mono text-sm whitespace-pre-wrap text-slate-800 ring-1 ring-slate-200">
                {job.result}
              </pre>
            </div>
          )}
          {job.error !== null && (
            <div role="alert">
              <h2 className="text-xs font-medium tracking-wide text-red-600 uppercase">Error</h2>
              <pre className="mt-1 overflow-x-auto rounded-md bg-red-50 px-3 py-2 font-mono text-sm whitespace-pre-wrap text-red-800 ring-1 ring-red-200">
                {job.error}
              </pre>
            </div>
          )}

          <div className="flex flex-wrap items-center justify-between gap-3 border-t border-slate-100 pt-4">
            <code className="font-mono text-xs text-slate-400">job {job.id}</code>
            {finished && (
              <Button variant="secondary" onClick={() => window.history.back()}>
                Back
              </Button>
            )}
          </div>
        </div>
      </Card>
    </Layout>
  );
}
