import { act } from '@testing-library/react';
import type { LiveSocket } from '../lib/liveSocket';

/** A WebSocket stand-in for the live hooks' tests: every instance is kept in `all`. */
export class FakeSocket implements LiveSocket {
  static all: FakeSocket[] = [];
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  closed = false;

  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }

  close(): void {
    this.closed = true;
  }

  open(): void {
    act(() => this.onopen?.(new Event('open')));
  }

  send(data: unknown): void {
    act(() => this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(data) })));
  }

  drop(): void {
    act(() => this.onclose?.(new CloseEvent('close')));
  }
}

export const createSocket = (url: string): FakeSocket => new FakeSocket(url);
