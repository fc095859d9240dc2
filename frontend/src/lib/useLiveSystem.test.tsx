import { act, render, screen } from '@testing-library/react';
import { FakeSocket, createSocket } from '../test/fakeSocket';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SystemInfo } from '../types';
import { backoffDelay, dashboardSocketUrl, parseSystemMessage, useLiveSystem } from './useLiveSystem';

function system(hostname: string): SystemInfo {
  return {
    hostname,
    os: { id: 'debian', version_id: '12', pretty_name: 'Debian GNU/Linux 12 (bookworm)' },
    kernel: '6.1.0-30-amd64',
    uptime_seconds: 3600,
    load: [0.1, 0.2, 0.3],
    memory: { total: 4096, available: 2048, swap_total: 0, swap_free: 0 },
    disks: [{ mount: '/', total: 100, used: 40, free: 60 }],
    services: [{ name: 'nginx', unit: 'nginx.service', package: 'nginx', version: '1.22.1', state: 'running' }],
    daemon_version: '0.1.0',
  };
}

function Probe({ initial, maxAttempts }: { initial: SystemInfo | null; maxAttempts?: number }) {
  const { system: current, live } = useLiveSystem(initial, {
    url: 'wss://panel.test/ws/dashboard',
    createSocket,
    ...(maxAttempts === undefined ? {} : { maxAttempts }),
  });
  return (
    <p>
      {current?.hostname ?? 'none'} {live ? 'live' : 'static'}
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

describe('useLiveSystem', () => {
  it('shows the initial props, then each system message', () => {
    render(<Probe initial={system('initial')} />);
    expect(screen.getByText('initial static')).toBeTruthy();
    const socket = FakeSocket.all[0]!;
    expect(socket.url).toBe('wss://panel.test/ws/dashboard');
    socket.open();
    socket.send({ type: 'system', system: system('pushed') });
    expect(screen.getByText('pushed live')).toBeTruthy();
  });

  it('ignores messages that are not a valid system object', () => {
    render(<Probe initial={system('initial')} />);
    const socket = FakeSocket.all[0]!;
    socket.open();
    socket.send({ type: 'other', system: system('wrong') });
    socket.send({ type: 'system', system: { hostname: 'half' } });
    expect(screen.getByText('initial live')).toBeTruthy();
  });

  it('reconnects after the socket drops', () => {
    render(<Probe initial={system('initial')} />);
    FakeSocket.all[0]!.open();
    FakeSocket.all[0]!.drop();
    expect(screen.getByText('initial static')).toBeTruthy();
    expect(FakeSocket.all).toHaveLength(1);
    act(() => vi.advanceTimersByTime(1300));
    expect(FakeSocket.all).toHaveLength(2);
  });

  it('gives up quietly when the socket never opens', () => {
    render(<Probe initial={system('initial')} maxAttempts={3} />);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      FakeSocket.all.at(-1)!.drop();
      act(() => vi.advanceTimersByTime(60_000));
    }
    expect(FakeSocket.all).toHaveLength(3);
    expect(screen.getByText('initial static')).toBeTruthy();
  });

  it('closes the socket on unmount', () => {
    const { unmount } = render(<Probe initial={null} />);
    unmount();
    expect(FakeSocket.all[0]!.closed).toBe(true);
  });
});

describe('helpers', () => {
  it('uses wss for https pages', () => {
    expect(dashboardSocketUrl({ protocol: 'https:', host: 'panel:8443' })).toBe('wss://panel:8443/ws/dashboard');
    expect(dashboardSocketUrl({ protocol: 'http:', host: 'localhost:5173' })).toBe('ws://localhost:5173/ws/dashboard');
  });

  it('doubles the delay up to 30 s', () => {
    const noJitter = () => 0;
    expect(backoffDelay(0, noJitter)).toBe(1000);
    expect(backoffDelay(3, noJitter)).toBe(8000);
    expect(backoffDelay(10, noJitter)).toBe(30_000);
  });

  it('parses only well-formed system messages', () => {
    expect(parseSystemMessage('not json')).toBeNull();
    expect(parseSystemMessage(JSON.stringify({ type: 'system', system: system('x') }))?.hostname).toBe('x');
  });
});
