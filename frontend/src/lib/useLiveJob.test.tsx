import { act, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Job } from '../types';
import { FakeSocket, createSocket } from '../test/fakeSocket';
import { isJob, parseJobMessage, useLiveJob } from './useLiveJob';

function job(status: Job['status'], progress: number | null): Job {
  return { id: 'j1', name: 'Delete account carl', status, progress, result: null, error: null };
}

function Probe({ maxAttempts }: { maxAttempts?: number }) {
  const { value, gaveUp } = useLiveJob('j1', { createSocket, ...(maxAttempts === undefined ? {} : { maxAttempts }) });
  return (
    <p>
      {value === null ? 'none' : `${value.status} ${value.progress ?? '-'}`} {gaveUp ? 'polling' : 'socket'}
    </p>
  );
}

beforeEach(() => {
  FakeSocket.all = [];
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('useLiveJob', () => {
  it('follows the job and stops reconnecting once it is finished', () => {
    render(<Probe />);
    const socket = FakeSocket.all[0]!;
    expect(socket.url).toBe(`ws://${window.location.host}/ws/jobs/j1`);
    socket.open();
    socket.send({ type: 'job', job: job('running', 40) });
    expect(screen.getByText('running 40 socket')).toBeTruthy();
    socket.send({ type: 'job', job: job('successful', 100) });
    socket.drop();
    act(() => vi.advanceTimersByTime(60_000));
    expect(FakeSocket.all).toHaveLength(1);
    expect(screen.getByText('successful 100 socket')).toBeTruthy();
  });

  it('reconnects while the job runs, and gives up when the socket never opens', () => {
    render(<Probe maxAttempts={2} />);
    FakeSocket.all[0]!.open();
    FakeSocket.all[0]!.send({ type: 'job', job: job('running', 10) });
    FakeSocket.all[0]!.drop();
    act(() => vi.advanceTimersByTime(1300));
    expect(FakeSocket.all).toHaveLength(2);
    FakeSocket.all[1]!.drop();
    act(() => vi.advanceTimersByTime(60_000));
    FakeSocket.all[2]!.drop();
    expect(screen.getByText('running 10 polling')).toBeTruthy();
  });

  it('ignores malformed jobs', () => {
    expect(parseJobMessage(JSON.stringify({ type: 'job', job: { ...job('running', 400) } }))).toBeNull();
    expect(parseJobMessage(JSON.stringify({ type: 'system', job: job('running', 4) }))).toBeNull();
    expect(isJob({ ...job('done' as Job['status'], 1) })).toBe(false);
    expect(parseJobMessage(JSON.stringify({ type: 'job', job: job('failed', null) }))?.status).toBe('failed');
  });
});
