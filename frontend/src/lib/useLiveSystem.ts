import { useEffect, useState } from 'react';
import type { SystemInfo } from '../types';

/** The part of WebSocket the hook uses, so tests can hand in a fake. */
export interface LiveSocket {
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  close(): void;
}

export type SocketFactory = (url: string) => LiveSocket;

export interface LiveSystemOptions {
  /** Default: /ws/dashboard on this host, wss when the page is https. */
  url?: string;
  createSocket?: SocketFactory;
  /** Failed connects in a row (never opened) after which the hook gives up. */
  maxAttempts?: number;
}

export interface LiveSystem {
  system: SystemInfo | null;
  /** True while the socket is open. */
  live: boolean;
}

const MAX_DELAY_MS = 30_000;

const openWebSocket: SocketFactory = (url) => new WebSocket(url);

export function dashboardSocketUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/ws/dashboard`;
}

/** 1 s, 2 s, 4 s … up to 30 s, with up to 20 % jitter so clients spread out. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_DELAY_MS, 1000 * 2 ** attempt);
  return Math.round(base * (1 + 0.2 * random()));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

const SERVICE_STATES: ReadonlySet<unknown> = new Set(['running', 'stopped', 'failed', 'not-installed', 'unknown']);

/** Checks an untrusted value against SystemInfo, so a bad message cannot break the page. */
export function isSystemInfo(value: unknown): value is SystemInfo {
  if (!isRecord(value)) return false;
  const { os, memory, load, disks, services } = value;
  return (
    isString(value['hostname']) &&
    isString(value['kernel']) &&
    isString(value['daemon_version']) &&
    isNumber(value['uptime_seconds']) &&
    isRecord(os) &&
    isString(os['id']) &&
    isString(os['version_id']) &&
    isString(os['pretty_name']) &&
    Array.isArray(load) &&
    load.length === 3 &&
    load.every(isNumber) &&
    isRecord(memory) &&
    ['total', 'available', 'swap_total', 'swap_free'].every((key) => isNumber(memory[key])) &&
    Array.isArray(disks) &&
    disks.every(
      (disk) =>
        isRecord(disk) && isString(disk['mount']) && ['total', 'used', 'free'].every((key) => isNumber(disk[key])),
    ) &&
    Array.isArray(services) &&
    services.every(
      (service) =>
        isRecord(service) &&
        isString(service['name']) &&
        isString(service['unit']) &&
        isString(service['package']) &&
        (service['version'] === null || isString(service['version'])) &&
        SERVICE_STATES.has(service['state']),
    )
  );
}

/** The system object of a {type: "system"} message; null for anything else. */
export function parseSystemMessage(data: unknown): SystemInfo | null {
  if (!isString(data)) return null;
  let message: unknown;
  try {
    message = JSON.parse(data);
  } catch {
    return null;
  }
  if (!isRecord(message) || message['type'] !== 'system') return null;
  const system = message['system'];
  return isSystemInfo(system) ? system : null;
}

/**
 * The dashboard's system facts, kept current over the /ws/dashboard socket.
 * Until the first message, and whenever the socket is down, the page shows
 * the props it was rendered with: a missing or failing socket is not an
 * error the user needs to see.
 */
export function useLiveSystem(initial: SystemInfo | null, options: LiveSystemOptions = {}): LiveSystem {
  const { url, createSocket = openWebSocket, maxAttempts = 6 } = options;
  const [received, setReceived] = useState<SystemInfo | null>(null);
  const [live, setLive] = useState(false);

  useEffect(() => {
    const target = url ?? dashboardSocketUrl(window.location);
    let socket: LiveSocket | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    let stopped = false;

    const connect = (): void => {
      let opened = false;
      try {
        socket = createSocket(target);
      } catch {
        // An invalid URL or a blocked scheme: same as a failed connect.
        scheduleRetry(false);
        return;
      }
      socket.onopen = () => {
        opened = true;
        failures = 0;
        setLive(true);
      };
      socket.onmessage = (event) => {
        const system = parseSystemMessage(event.data);
        if (system !== null) setReceived(system);
      };
      socket.onerror = () => {
        // onclose follows and does the work.
      };
      socket.onclose = () => {
        socket = null;
        setLive(false);
        scheduleRetry(opened);
      };
    };

    const scheduleRetry = (wasOpen: boolean): void => {
      if (stopped) return;
      if (!wasOpen) failures += 1;
      if (failures >= maxAttempts) return;
      timer = setTimeout(connect, backoffDelay(failures));
    };

    connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      const current: LiveSocket | null = socket;
      if (current !== null) {
        current.onclose = null;
        current.close();
      }
    };
  }, [url, createSocket, maxAttempts]);

  return { system: received ?? initial, live };
}
