import { router } from '@inertiajs/react';
import { useState, type ReactNode } from 'react';
import Button from './Button';
import ConfirmButton from './ConfirmButton';

/** What a row's or a page's action buttons share: one busy flag for every request. */
export function useActionRequest() {
  const [busy, setBusy] = useState(false);
  const options = {
    preserveScroll: true,
    onStart: () => setBusy(true),
    onFinish: () => setBusy(false),
  };
  return { busy, options };
}

/** The buttons' row: stacked in narrow table rows, where side by side they would not fit. */
export function ActionRow({ inTable, children }: { inTable: boolean; children: ReactNode }) {
  return (
    <div
      className={
        inTable
          ? 'flex flex-col items-end gap-1.5 sm:flex-row sm:items-center sm:justify-end sm:gap-2'
          : 'flex items-center gap-2'
      }
    >
      {children}
    </div>
  );
}

/**
 * Suspend (after a confirmation saying what stops) or unsuspend an object at `base`
 * (POST base/suspend, base/unsuspend).
 */
export function SuspendToggle({
  active,
  label,
  name,
  base,
  consequence,
  busy,
  options,
}: {
  active: boolean;
  /** The object as text, for the buttons' accessible names. */
  label: string;
  /** The object in the dialog's title when it needs more than text (a HostName); label otherwise. */
  name?: ReactNode;
  base: string;
  consequence: string;
  busy: boolean;
  options: ReturnType<typeof useActionRequest>['options'];
}) {
  if (active) {
    return (
      <ConfirmButton
        variant="primary"
        title={<>Suspend {name ?? label}?</>}
        message={consequence}
        confirmLabel="Suspend"
        loading={busy}
        aria-label={`Suspend ${label}`}
        onConfirm={() => router.post(`${base}/suspend`, {}, options)}
      >
        Suspend
      </ConfirmButton>
    );
  }
  return (
    <Button
      variant="secondary"
      size="sm"
      loading={busy}
      aria-label={`Unsuspend ${label}`}
      onClick={() => router.post(`${base}/unsuspend`, {}, options)}
    >
      Unsuspend
    </Button>
  );
}
