import { useEffect, useState } from 'react';

/** The part of WebSocket the hooks use, so tests can hand in a fake. */
export interface LiveSocket {
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  close(): void;
}

export type SocketFactory = (url: string) => LiveSocket;

export interface LiveSocketOptions<T> {
  createSocket?: SocketFactory;
  /** Failed connects in a row (never opened) after which the hook gives up. */
  maxAttempts?: number;
  /** A value after which nothing more will come: the hook then stops reconnecting. */
  isFinal?: (value: T) => boolean;
}

export interface LiveValue<T> {
  /** The newest value received; null until the first one. */
  value: T | null;
  /** True while the socket is open. */
  live: boolean;
  /** True once the hook stopped trying to connect without having received a final value. */
  gaveUp: boolean;
}

const MAX_DELAY_MS = 30_000;

const openWebSocket: SocketFactory = (url) => new WebSocket(url);

/** ws(s)://<this host><path>: wss when the page is https. */
export function socketUrl(location: Pick<Location, 'protocol' | 'host'>, path: string): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}${path}`;
}

/** 1 s, 2 s, 4 s … up to 30 s, with up to 20 % jitter so clients spread out. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_DELAY_MS, 1000 * 2 ** attempt);
  return Math.round(base * (1 + 0.2 * random()));
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The payload under `key` of a {type, [key]: …} JSON message of the wanted type, unchecked. */
export function messagePayload(data: unknown, type: string, key: string): unknown {
  if (typeof data !== 'string') return undefined;
  let message: unknown;
  try {
    message = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (!isRecord(message) || message['type'] !== type) return undefined;
  return message[key];
}

/**
 * The newest value pushed over a WebSocket at `url` (a path on this host, or a full URL),
 * reconnecting with backoff when the socket drops. `parse` turns a raw message into a
 * value, or null to ignore it. A missing or failing socket is not an error the user needs
 * to see: callers keep showing what they were rendered with.
 */
export function useLiveSocket<T>(
  url: string,
  parse: (data: unknown) => T | null,
  options: LiveSocketOptions<T> = {},
): LiveValue<T> {
  const { createSocket = openWebSocket, maxAttempts = 6, isFinal } = options;
  const [value, setValue] = useState<T | null>(null);
  const [live, setLive] = useState(false);
  const [gaveUp, setGaveUp] = useState(false);

  useEffect(() => {
    const target = url.startsWith('/') ? socketUrl(window.location, url) : url;
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
        const parsed = parse(event.data);
        if (parsed === null) return;
        setValue(parsed);
        if (isFinal?.(parsed)) stopped = true;
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
      if (failures >= maxAttempts) {
        setGaveUp(true);
        return;
      }
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
  }, [url, parse, createSocket, maxAttempts, isFinal]);

  return { value, live, gaveUp };
}
