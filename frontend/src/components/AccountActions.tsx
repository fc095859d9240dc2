import { router } from '@inertiajs/react';
import { useState } from 'react';
import { segment } from '../lib/url';
import type { Account } from '../types';
import Button from './Button';
import ConfirmButton from './ConfirmButton';

/**
 * Suspend/unsuspend and delete for one hosting account. The server answers
 * with a redirect: back to the page, or to /jobs/<id> for long operations.
 */
export default function AccountActions({ account, inTable = false }: { account: Account; inTable?: boolean }) {
  const [busy, setBusy] = useState(false);
  const base = `/accounts/${segment(account.name)}`;
  const options = {
    preserveScroll: true,
    onStart: () => setBusy(true),
    onFinish: () => setBusy(false),
  };

  return (
    <div
      className={
        // Stacked in narrow table rows, where side by side they would not fit.
        inTable
          ? 'flex flex-col items-end gap-1.5 sm:flex-row sm:items-center sm:justify-end sm:gap-2'
          : 'flex items-center gap-2'
      }
    >
      {account.state === 'active' ? (
        <ConfirmButton
          variant="primary"
          title={`Suspend ${account.name}?`}
          message="Its websites, mail and logins stop working until the account is unsuspended."
          confirmLabel="Suspend"
          loading={busy}
          aria-label={`Suspend ${account.name}`}
          onConfirm={() => router.post(`${base}/suspend`, {}, options)}
        >
          Suspend
        </ConfirmButton>
      ) : (
        <Button
          variant="secondary"
          size="sm"
          loading={busy}
          aria-label={`Unsuspend ${account.name}`}
          onClick={() => router.post(`${base}/unsuspend`, {}, options)}
        >
          Unsuspend
        </Button>
      )}
      <ConfirmButton
        title={`Delete ${account.name}?`}
        message={
          <>
            This removes the Linux user <strong className="font-semibold text-slate-900">{account.name}</strong>, its
            home directory with all files, and its panel login. It cannot be undone.
          </>
        }
        confirmLabel="Delete account"
        disabled={busy}
        aria-label={`Delete ${account.name}`}
        onConfirm={() => router.delete(base, options)}
      >
        Delete
      </ConfirmButton>
    </div>
  );
}
