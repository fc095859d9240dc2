import { router, useForm } from '@inertiajs/react';
import { useState, type FormEvent } from 'react';
import Badge from '../../components/Badge';
import Button from '../../components/Button';
import Card from '../../components/Card';
import ConfirmButton from '../../components/ConfirmButton';
import FormCard from '../../components/FormCard';
import { CheckboxField, FormField } from '../../components/FormField';
import Layout from '../../components/Layout';
import { ActionRow, useActionRequest } from '../../components/ObjectActions';
import Table, { type Column } from '../../components/Table';
import TemplateRecordsEditor from '../../components/TemplateRecordsEditor';
import { entryErrorKeys, fromDrafts, PLACEHOLDERS, toDrafts, ttlValue } from '../../lib/dnsForm';
import { bindCheck, bindText, NAME_INPUT } from '../../lib/form';
import { fieldError, parseAliases } from '../../lib/siteForm';
import { segment } from '../../lib/url';
import type { DnsSettings, DnsSettingsProps, PageProps, ZoneTemplate } from '../../types';

const TIMERS = [
  { key: 'ttl', label: 'TTL of new records (s)', hint: '60 to 604800' },
  { key: 'soa_refresh', label: 'SOA refresh (s)', hint: 'How often secondaries check for changes' },
  { key: 'soa_retry', label: 'SOA retry (s)', hint: 'After a failed check' },
  { key: 'soa_expire', label: 'SOA expire (s)', hint: 'When secondaries stop answering without us' },
  { key: 'soa_minimum', label: 'Negative TTL (s)', hint: 'How long “no such name” is cached' },
] as const;
type Timer = (typeof TIMERS)[number]['key'];
const DEFAULT_FIELDS = ['nameservers', 'soa_contact', 'ipv4', 'ipv6', ...TIMERS.map((t) => t.key)];

function Defaults({ settings }: { settings: DnsSettings }) {
  const form = useForm({
    nameservers: settings.nameservers.join(' '),
    soa_contact: settings.soa_contact,
    ipv4: settings.ipv4,
    ipv6: settings.ipv6,
    ttl: String(settings.ttl),
    soa_refresh: String(settings.soa_refresh),
    soa_retry: String(settings.soa_retry),
    soa_expire: String(settings.soa_expire),
    soa_minimum: String(settings.soa_minimum),
  });
  const errors: Partial<Record<string, string>> = form.errors;

  function submit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    form.transform((data) => ({
      ...data,
      nameservers: parseAliases(data.nameservers),
      soa_contact: data.soa_contact.trim(),
      ipv4: data.ipv4.trim(),
      ipv6: data.ipv6.trim(),
      // An empty timer is sent as typed: the server says it needs a number.
      ...Object.fromEntries(TIMERS.map(({ key }) => [key, ttlValue(data[key]) ?? data[key]])),
    }));
    form.post('/dns/settings', { preserveScroll: true });
  }

  return (
    <FormCard
      title="Defaults for new zones"
      description="Existing zones keep what they were made with."
      onSubmit={submit}
      form={form}
      fields={[...DEFAULT_FIELDS, ...Object.keys(errors).filter((k) => k.startsWith('nameservers.'))]}
      submitLabel="Save defaults"
    >
      <div className="grid grid-cols-1 gap-5 md:grid-cols-2">
        <FormField
          label="Name servers"
          {...bindText(form, 'nameservers')}
          hint="Host names, separated by spaces; the first is the SOA’s primary. Empty: this machine’s name."
          {...NAME_INPUT}
          error={fieldError(errors, 'nameservers')}
        />
        <FormField
          label="SOA contact"
          {...bindText(form, 'soa_contact')}
          hint="An e-mail address; {zone} stands for the zone’s name."
          {...NAME_INPUT}
        />
        <FormField
          label="IPv4 address ({ipv4})"
          {...bindText(form, 'ipv4')}
          hint="Empty: templates’ records that use it are left out."
          autoComplete="off"
          spellCheck={false}
        />
        <FormField
          label="IPv6 address ({ipv6})"
          {...bindText(form, 'ipv6')}
          hint="Empty: templates’ records that use it are left out."
          autoComplete="off"
          spellCheck={false}
        />
        {TIMERS.map(({ key, label, hint }) => (
          <FormField
            key={key}
            label={label}
            name={key}
            inputMode="numeric"
            hint={hint}
            value={form.data[key as Timer]}
            onChange={(event) => form.setData(key, event.target.value)}
            error={errors[key]}
          />
        ))}
      </div>
    </FormCard>
  );
}

function ServerSecondaries({ secondaries }: { secondaries: string[] }) {
  const form = useForm({ secondaries: secondaries.join(' ') });
  const errors: Partial<Record<string, string>> = form.errors;

  function submit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    form.transform((data) => ({ secondaries: parseAliases(data.secondaries) }));
    form.post('/dns/settings', { preserveScroll: true });
  }

  return (
    <FormCard
      title="Secondary servers of every zone"
      description="Notified of every change to any zone, and allowed to transfer it (AXFR); each zone may add its own."
      onSubmit={submit}
      form={form}
      fields={['secondaries', ...Object.keys(errors).filter((k) => k.startsWith('secondaries.'))]}
      submitLabel="Save secondaries"
      className="space-y-4"
    >
      <FormField
        label="Addresses"
        {...bindText(form, 'secondaries')}
        hint="IP addresses, separated by spaces or commas."
        autoComplete="off"
        spellCheck={false}
        error={fieldError(errors, 'secondaries')}
      />
    </FormCard>
  );
}

function TemplateEditor({ template, types, onClose }: { template: ZoneTemplate | null; types: string[]; onClose: () => void }) {
  const form = useForm({
    name: template?.name ?? '',
    description: template?.description ?? '',
    is_default: template?.is_default ?? false,
    records: toDrafts(template?.records ?? [{ name: '@', type: 'NS', content: '{ns}', ttl: null }]),
  });
  const errors: Partial<Record<string, string>> = form.errors;

  function submit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    form.transform((data) => ({ ...data, name: data.name.trim(), records: fromDrafts(data.records) }));
    form.post('/dns/templates', { preserveScroll: true, onSuccess: onClose });
  }

  return (
    <FormCard
      title={template === null ? 'New template' : `Template ${template.name}`}
      description="Checked when saved: a template that would make a broken zone is refused."
      onSubmit={submit}
      form={form}
      fields={['name', 'description', 'is_default', ...entryErrorKeys(errors, 'records')]}
      submitLabel="Save template"
      onCancel={onClose}
    >
      <div className="grid grid-cols-1 gap-5 md:grid-cols-2">
        <FormField
          label="Template name"
          {...bindText(form, 'name')}
          hint="Letters, digits, - and _"
          autoComplete="off"
          spellCheck={false}
          readOnly={template !== null}
        />
        <FormField
          label="Description"
          {...bindText(form, 'description')}
          autoComplete="off"
        />
      </div>
      <CheckboxField
        label="The default template"
        {...bindCheck(form, 'is_default')}
        hint="Used for zones created without naming one, and for sites’ zones."
        disabled={template?.is_default === true}
      />
      <TemplateRecordsEditor entries={form.data.records} onChange={(entries) => form.setData('records', entries)} types={types} errors={errors} />
      <div className="text-xs text-slate-500">
        <p className="font-medium text-slate-600">Placeholders in names and content:</p>
        <ul className="mt-1 space-y-0.5">
          {PLACEHOLDERS.map(([placeholder, meaning]) => (
            <li key={placeholder}>
              <code className="font-mono text-slate-700">{placeholder}</code>: {meaning}
            </li>
          ))}
        </ul>
      </div>
    </FormCard>
  );
}

function TemplateActions({ template, onEdit }: { template: ZoneTemplate; onEdit: () => void }) {
  const { busy, options } = useActionRequest();
  return (
    <ActionRow inTable>
      <Button variant="secondary" size="sm" aria-label={`Edit template ${template.name}`} onClick={onEdit}>
        Edit
      </Button>
      {!template.is_default && (
        <ConfirmButton
          title={`Delete the template ${template.name}?`}
          message="Zones made from it keep their records."
          confirmLabel="Delete template"
          loading={busy}
          aria-label={`Delete template ${template.name}`}
          onConfirm={() => router.delete(`/dns/templates/${segment(template.name)}`, options)}
        >
          Delete
        </ConfirmButton>
      )}
    </ActionRow>
  );
}

export default function Settings({ settings, templates, record_types }: PageProps<DnsSettingsProps>) {
  // null: no editor; 'new': a new template; else the name of the one being edited.
  const [editing, setEditing] = useState<string | null>(null);
  const edited = templates.find((t) => t.name === editing) ?? null;

  const columns: Column<ZoneTemplate>[] = [
    {
      key: 'name',
      header: 'Template',
      cell: (t) => (
        <span className="flex items-center gap-2 font-medium text-slate-900">
          {t.name}
          {t.is_default && <Badge tone="indigo">default</Badge>}
        </span>
      ),
    },
    { key: 'description', header: 'Description', className: 'hidden md:table-cell', cell: (t) => t.description },
    { key: 'records', header: 'Records', cell: (t) => t.records.length },
    {
      key: 'actions',
      header: <span className="sr-only">Actions</span>,
      align: 'right',
      cell: (t) => <TemplateActions template={t} onEdit={() => setEditing(t.name)} />,
    },
  ];

  return (
    <Layout title="DNS templates and defaults" description="What new zones are made of, for every account." back={{ href: '/dns', label: 'DNS zones' }}>
      <div className="space-y-6">
        <Defaults settings={settings} />
        <ServerSecondaries secondaries={settings.secondaries} />
        {editing !== null && (
          <TemplateEditor key={editing} template={editing === 'new' ? null : edited} types={record_types} onClose={() => setEditing(null)} />
        )}
        <Card
          title="Zone templates"
          actions={editing === null ? <Button onClick={() => setEditing('new')}>New template</Button> : undefined}
          flush
        >
          <Table caption="Zone templates" columns={columns} rows={templates} rowKey={(t) => t.name} />
        </Card>
      </div>
    </Layout>
  );
}
