import { router } from '@inertiajs/react';
import { useState } from 'react';
import { segment, withQuery } from '../lib/url';
import type { Site } from '../types';
import ConfirmButton from './ConfirmButton';
import HostName, { hostLabel } from './HostName';
import { ActionRow, SuspendToggle, useActionRequest } from './ObjectActions';

/**
 * Suspend/unsuspend (admins and resellers) and delete for one site. The
 * server answers with a redirect back, or to the list after a deletion.
 */
export default function SiteActions({
  site,
  canSuspend,
  inTable = false,
}: {
  site: Site;
  canSuspend: boolean;
  inTable?: boolean;
}) {
  const { busy, options } = useActionRequest();
  const [removeFiles, setRemoveFiles] = useState(false);
  const base = `/sites/${segment(site.domain)}`;
  const label = hostLabel(site.domain, site.display_domain);
  const name = <HostName name={site.domain} display={site.display_domain} />;

  return (
    <ActionRow inTable={inTable}>
      {canSuspend && (
        <SuspendToggle
          active={site.state === 'active'}
          label={label}
          name={name}
          base={base}
          consequence="The site answers with a suspension page and runs no PHP until it is unsuspended."
          busy={busy}
          options={options}
        />
      )}
      <ConfirmButton
        title={<>Delete {name}?</>}
        message={
          <>
            <p>
              The site stops answering: its nginx server block and PHP pool are removed. Its files stay in{' '}
              <code className="font-mono text-xs">{site.document_root || 'the account’s home'}</code> unless you
              delete them too.
            </p>
            <label className="mt-3 flex items-center gap-2 text-sm text-slate-700">
              <input
                type="checkbox"
                className="size-4 accent-red-600"
                checked={removeFiles}
                onChange={(event) => setRemoveFiles(event.target.checked)}
              />
              Also delete the site’s files
            </label>
          </>
        }
        confirmLabel="Delete site"
        disabled={busy}
        aria-label={`Delete ${label}`}
        onConfirm={() => router.delete(withQuery(base, { remove_files: removeFiles ? 1 : null }), options)}
      >
        Delete
      </ConfirmButton>
    </ActionRow>
  );
}
