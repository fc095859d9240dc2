import type { Job, JobStatus } from '../types';
import { isRecord, messagePayload, useLiveSocket, type LiveSocketOptions, type LiveValue } from './liveSocket';

const STATUSES: ReadonlySet<unknown> = new Set<JobStatus>(['ready', 'running', 'successful', 'failed']);

export function isFinished(status: JobStatus): boolean {
  return status === 'successful' || status === 'failed';
}

function isNullableString(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}

/** Checks an untrusted value against Job, so a bad message cannot break the page. */
export function isJob(value: unknown): value is Job {
  if (!isRecord(value)) return false;
  const progress = value['progress'];
  return (
    typeof value['id'] === 'string' &&
    typeof value['name'] === 'string' &&
    STATUSES.has(value['status']) &&
    (progress === null || (typeof progress === 'number' && progress >= 0 && progress <= 100)) &&
    isNullableString(value['result']) &&
    isNullableString(value['error'])
  );
}

/** The job of a {type: "job"} message; null for anything else. */
export function parseJobMessage(data: unknown): Job | null {
  const job = messagePayload(data, 'job', 'job');
  return isJob(job) ? job : null;
}

const finalJob = (job: Job): boolean => isFinished(job.status);

/**
 * One job kept current over /ws/jobs/<id>: the server sends the job whenever the worker
 * changed it and closes the socket once the job is finished. `gaveUp` tells the page to
 * fall back to reloading the job itself.
 */
export function useLiveJob(id: string, options: Omit<LiveSocketOptions<Job>, 'isFinal'> = {}): LiveValue<Job> {
  return useLiveSocket(`/ws/jobs/${encodeURIComponent(id)}`, parseJobMessage, { ...options, isFinal: finalJob });
}
