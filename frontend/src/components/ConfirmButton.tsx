import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import Button, { type ButtonSize } from './Button';

export interface ConfirmButtonProps {
  /** The label of the button that opens the dialog. */
  children: ReactNode;
  title: ReactNode;
  message: ReactNode;
  confirmLabel?: string;
  onConfirm: () => void;
  /** The confirming button's look; the opening one is its outlined form. */
  variant?: 'danger' | 'primary';
  size?: ButtonSize;
  disabled?: boolean;
  loading?: boolean;
  /** Accessible name of the opening button when its label is terse ("Delete"). */
  'aria-label'?: string;
}

/** A button that asks before doing something that cannot be undone. */
export default function ConfirmButton({
  children,
  title,
  message,
  confirmLabel = 'Confirm',
  onConfirm,
  variant = 'danger',
  size = 'sm',
  disabled = false,
  loading = false,
  'aria-label': ariaLabel,
}: ConfirmButtonProps) {
  const [open, setOpen] = useState(false);
  const titleId = useId();
  const messageId = useId();
  const confirmRef = useRef<HTMLButtonElement>(null);
  const openerRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return undefined;
    confirmRef.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') close();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [open]);

  function close(): void {
    setOpen(false);
    openerRef.current?.focus();
  }

  return (
    <>
      <Button
        ref={openerRef}
        variant={variant === 'danger' ? 'danger-outline' : 'secondary'}
        size={size}
        disabled={disabled}
        loading={loading}
        aria-label={ariaLabel}
        aria-haspopup="dialog"
        onClick={() => setOpen(true)}
      >
        {children}
      </Button>
      {open && (
        <div className="fixed inset-0 z-50 flex items-end justify-center p-4 sm:items-center">
          <div className="fixed inset-0 bg-slate-900/50" aria-hidden="true" onClick={close} />
          <div
            role="alertdialog"
            aria-modal="true"
            aria-labelledby={titleId}
            aria-describedby={messageId}
            className="relative w-full max-w-md rounded-xl bg-white p-6 text-left shadow-xl ring-1 ring-slate-900/5"
          >
            <h2 id={titleId} className="text-base font-semibold text-slate-900">
              {title}
            </h2>
            <div id={messageId} className="mt-2 text-sm text-slate-600">
              {message}
            </div>
            <div className="mt-6 flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
              <Button variant="secondary" onClick={close}>
                Cancel
              </Button>
              <Button
                ref={confirmRef}
                variant={variant}
                onClick={() => {
                  setOpen(false);
                  onConfirm();
                }}
              >
                {confirmLabel}
              </Button>
            </div>
          </div>
        </div>
      )}
    </>
  );
}
