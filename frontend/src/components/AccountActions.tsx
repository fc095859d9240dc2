import { router } from '@inertiajs/react';
import { segment } from '../lib/url';
import type { Account } from '../types';
import ConfirmButton from './ConfirmButton';
import { ActionRow, SuspendToggle, useActionRequest } from './ObjectActions';

/**
 * Suspend/unsuspend and delete for one hosting account. The server answers
 * with a redirect: back to the page, or to /jobs/<id> for long operations.
 */
export default function AccountActions({ account, inTable = false }: { account: Account; inTable?: boolean }) {
  const { busy, options } = useActionRequest();
  const base = `/accounts/${segment(account.name)}`;

  return (
    <ActionRow inTable={inTable}>
      <SuspendToggle
        active={account.state === 'active'}
        label={account.name}
        base={base}
        consequence="Its websites, mail and logins stop working until the account is unsuspended."
        busy={busy}
        options={options}
      />
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
    </ActionRow>
  );
}
