import { useState } from 'react';
import type { Flash as FlashData } from '../types';

function Message({ tone, text }: { tone: 'success' | 'error'; text: string }) {
  const [shown, setShown] = useState(true);
  if (!shown) {
    return null;
  }
  const styles =
    tone === 'success'
      ? 'bg-emerald-50 text-emerald-800 ring-emerald-600/20'
      : 'bg-red-50 text-red-800 ring-red-600/20';
  return (
    <div
      role={tone === 'error' ? 'alert' : 'status'}
      className={`flex items-start gap-3 rounded-lg px-4 py-3 text-sm ring-1 ring-inset ${styles}`}
    >
      <svg className="mt-0.5 size-4 shrink-0" viewBox="0 0 20 20" fill="currentColor" aria-hidden="true">
        {tone === 'success' ? (
          <path fillRule="evenodd" d="M10 18a8 8 0 100-16 8 8 0 000 16zm3.857-9.809a.75.75 0 00-1.214-.882l-3.483 4.79-1.88-1.88a.75.75 0 10-1.06 1.061l2.5 2.5a.75.75 0 001.137-.089l4-5.5z" clipRule="evenodd" />
        ) : (
          <path fillRule="evenodd" d="M18 10a8 8 0 11-16 0 8 8 0 0116 0zm-8-5a.75.75 0 01.75.75v4.5a.75.75 0 01-1.5 0v-4.5A.75.75 0 0110 5zm0 10a1 1 0 100-2 1 1 0 000 2z" clipRule="evenodd" />
        )}
      </svg>
      <p className="flex-1">{text}</p>
      <button
        type="button"
        onClick={() => setShown(false)}
        className="-m-1 rounded p-1 opacity-60 hover:opacity-100"
        aria-label="Dismiss"
      >
        <svg className="size-4" viewBox="0 0 20 20" fill="currentColor" aria-hidden="true">
          <path d="M6.28 5.22a.75.75 0 00-1.06 1.06L8.94 10l-3.72 3.72a.75.75 0 101.06 1.06L10 11.06l3.72 3.72a.75.75 0 101.06-1.06L11.06 10l3.72-3.72a.75.75 0 00-1.06-1.06L10 8.94 6.28 5.22z" />
        </svg>
      </button>
    </div>
  );
}

export default function Flash({ flash }: { flash: FlashData }) {
  if (!flash.success && !flash.error) {
    return null;
  }
  return (
    <div className="space-y-2">
      {/* Keyed by text: a new message shows even if the last one was dismissed. */}
      {flash.success && <Message key={`s:${flash.success}`} tone="success" text={flash.success} />}
      {flash.error && <Message key={`e:${flash.error}`} tone="error" text={flash.error} />}
    </div>
  );
}
