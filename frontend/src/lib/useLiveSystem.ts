import { isRecord, messagePayload, socketUrl, useLiveSocket, type SocketFactory } from './liveSocket';
import type { SystemInfo } from '../types';

export type { LiveSocket, SocketFactory } from './liveSocket';
export { backoffDelay } from './liveSocket';

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

export function dashboardSocketUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  return socketUrl(location, '/ws/dashboard');
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
  const system = messagePayload(data, 'system', 'system');
  return isSystemInfo(system) ? system : null;
}

/**
 * The dashboard's system facts, kept current over the /ws/dashboard socket.
 * Until the first message, and whenever the socket is down, the page shows
 * the props it was rendered with: a missing or failing socket is not an
 * error the user needs to see.
 */
export function useLiveSystem(initial: SystemInfo | null, options: LiveSystemOptions = {}): LiveSystem {
  const { url = '/ws/dashboard', ...rest } = options;
  const { value, live } = useLiveSocket(url, parseSystemMessage, rest);
  return { system: value ?? initial, live };
}
