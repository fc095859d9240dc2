import { router } from '@inertiajs/react';
import { segment } from '../lib/url';
import type { Zone } from '../types';
import ConfirmButton from './ConfirmButton';
import HostName, { hostLabel } from './HostName';
import { ActionRow, useActionRequest } from './ObjectActions';

/** Delete one zone, after a confirmation; the server answers with a redirect to the list. */
export default function ZoneActions({ zone, inTable = false }: { zone: Zone; inTable?: boolean }) {
  const { busy, options } = useActionRequest();
  return (
    <ActionRow inTable={inTable}>
      <ConfirmButton
        title={
          <>
            Delete the zone <HostName name={zone.name} display={zone.display_name} />?
          </>
        }
        message="Every record, key and setting of the zone goes; the name stops being answered at once."
        confirmLabel="Delete zone"
        loading={busy}
        aria-label={`Delete zone ${hostLabel(zone.name, zone.display_name)}`}
        onConfirm={() => router.delete(`/dns/zones/${segment(zone.name)}`, options)}
      >
        Delete
      </ConfirmButton>
    </ActionRow>
  );
}
