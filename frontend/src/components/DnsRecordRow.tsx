import { router, useForm } from '@inertiajs/react';
import { useId, useState, type FormEvent } from 'react';
import { ttlLabel, ttlValue } from '../lib/dnsForm';
import { segment } from '../lib/url';
import type { DnsRecord } from '../types';
import Badge from './Badge';
import Button from './Button';
import ConfirmButton from './ConfirmButton';
import { InlineField, InlineSelect } from './InlineField';
import { ActionRow, useActionRequest } from './ObjectActions';

const CELL = 'px-4 py-3 align-top text-slate-700';

/** One record of the zone editor: shown, or edited in place; deleted after a confirmation. */
export default function DnsRecordRow({ record, zone, types }: { record: DnsRecord; zone: string; types: string[] }) {
  const [editing, setEditing] = useState(false);
  const formId = useId();
  const { busy, options } = useActionRequest();
  const url = `/dns/zones/${segment(zone)}/records/${record.id}`;
  const form = useForm({ name: record.name, type: record.type, content: record.content, ttl: String(record.ttl) });
  const errors: Partial<Record<string, string>> = form.errors;
  const label = `${record.name} ${record.type}`;

  function open(): void {
    form.setData({ name: record.name, type: record.type, content: record.content, ttl: String(record.ttl) });
    form.clearErrors();
    setEditing(true);
  }

  function submit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    form.transform((data) => ({ ...data, ttl: ttlValue(data.ttl) }));
    form.post(url, { preserveScroll: true, onSuccess: () => setEditing(false) });
  }

  if (editing) {
    // Errors that name no column (the record's id, the zone) are shown under the buttons.
    const other = Object.entries(errors)
      .filter(([field, message]) => !['name', 'type', 'content', 'ttl'].includes(field) && message)
      .map(([, message]) => message);
    return (
      <tr className="bg-indigo-50/40">
        <td className={CELL}>
          <InlineField
            label="Name"
            form={formId}
            mono
            autoCapitalize="none"
            spellCheck={false}
            value={form.data.name}
            onChange={(event) => form.setData('name', event.target.value)}
            error={errors.name}
          />
        </td>
        <td className={CELL}>
          <InlineSelect
            label="Type"
            form={formId}
            value={form.data.type}
            options={types.includes(form.data.type) ? types : [form.data.type, ...types]}
            onChange={(event) => form.setData('type', event.target.value)}
            error={errors.type}
          />
        </td>
        <td className={CELL}>
          <InlineField
            label="Content"
            form={formId}
            mono
            autoCapitalize="none"
            spellCheck={false}
            value={form.data.content}
            onChange={(event) => form.setData('content', event.target.value)}
            error={errors.content}
          />
        </td>
        <td className={`${CELL} hidden md:table-cell`}>
          <InlineField
            label="TTL"
            form={formId}
            inputMode="numeric"
            value={form.data.ttl}
            onChange={(event) => form.setData('ttl', event.target.value)}
            error={errors.ttl}
          />
        </td>
        <td className={`${CELL} text-right`}>
          <form id={formId} onSubmit={submit}>
            <ActionRow inTable>
              <Button type="submit" size="sm" loading={form.processing} aria-label={`Save ${label}`}>
                Save
              </Button>
              <Button variant="secondary" size="sm" onClick={() => setEditing(false)}>
                Cancel
              </Button>
            </ActionRow>
            {other.map((message) => (
              <p key={message} role="alert" className="mt-1 text-xs font-medium text-red-600">
                {message}
              </p>
            ))}
          </form>
        </td>
      </tr>
    );
  }

  return (
    <tr className="hover:bg-slate-50/70">
      <td className={CELL}>
        <span className="font-mono text-sm break-all" title={record.fqdn}>
          {record.name}
        </span>
      </td>
      <td className={CELL}>
        <Badge tone={record.managed ? 'slate' : 'indigo'}>{record.type}</Badge>
      </td>
      <td className={CELL}>
        <code className="font-mono text-sm break-all">{record.content}</code>
      </td>
      <td className={`${CELL} hidden whitespace-nowrap md:table-cell`}>{ttlLabel(record.ttl)}</td>
      <td className={`${CELL} text-right`}>
        {record.managed ? (
          <span className="text-xs text-slate-500">Kept by the panel</span>
        ) : (
          <ActionRow inTable>
            <Button variant="secondary" size="sm" aria-label={`Edit ${label}`} onClick={open} disabled={busy}>
              Edit
            </Button>
            <ConfirmButton
              title={`Delete the ${record.type} record ${record.name}?`}
              message={
                <p>
                  <code className="font-mono text-xs break-all">{record.content}</code> stops being answered at once.
                </p>
              }
              confirmLabel="Delete record"
              loading={busy}
              aria-label={`Delete ${label}`}
              onConfirm={() => router.delete(url, options)}
            >
              Delete
            </ConfirmButton>
          </ActionRow>
        )}
      </td>
    </tr>
  );
}
