import { router, useForm } from '@inertiajs/react';
import { useState, type FormEvent } from 'react';
import Badge from '../../components/Badge';
import Button, { buttonClasses } from '../../components/Button';
import Card from '../../components/Card';
import ConfirmButton from '../../components/ConfirmButton';
import CopyButton from '../../components/CopyButton';
import DetailList, { type Detail } from '../../components/DetailList';
import DnsRecordRow from '../../components/DnsRecordRow';
import EmptyState from '../../components/EmptyState';
import FormCard from '../../components/FormCard';
import { FormAlert, FormField, SelectField } from '../../components/FormField';
import HostName, { hostLabel } from '../../components/HostName';
import Layout from '../../components/Layout';
import { useActionRequest } from '../../components/ObjectActions';
import Pagination from '../../components/Pagination';
import SearchForm from '../../components/SearchForm';
import ZoneActions from '../../components/ZoneActions';
import ZoneFileField from '../../components/ZoneFileField';
import { ttlLabel, ttlValue } from '../../lib/dnsForm';
import { bindText, NAME_INPUT } from '../../lib/form';
import { countMatching, formatDateTime } from '../../lib/format';
import { parseAliases } from '../../lib/siteForm';
import { segment } from '../../lib/url';
import type { DnsShowProps, DnssecKey, PageProps, Zone } from '../../types';

const RECORD_FIELDS = ['name', 'type', 'content', 'ttl'] as const;
const HEAD = 'px-4 py-2.5 text-left text-xs font-semibold tracking-wide text-slate-500 uppercase';

function AddRecord({ zone, types, defaultTtl }: { zone: Zone; types: string[]; defaultTtl: number }) {
  const form = useForm({ name: '', type: types[0] ?? 'A', content: '', ttl: '' });
  const errors: Partial<Record<string, string>> = form.errors;

  function submit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    form.transform((data) => ({ ...data, name: data.name.trim() === '' ? '@' : data.name.trim(), ttl: ttlValue(data.ttl) }));
    form.post(`/dns/zones/${segment(zone.name)}/records`, {
      preserveScroll: true,
      onSuccess: () => form.reset('name', 'content', 'ttl'),
    });
  }

  return (
    <form onSubmit={submit} noValidate className="space-y-4 border-b border-slate-200 p-4 sm:p-5" aria-label="Add a record">
      <FormAlert errors={errors} fields={RECORD_FIELDS} />
      <div className="grid grid-cols-1 gap-4 md:grid-cols-[minmax(0,1fr)_8rem_minmax(0,2fr)_7rem_auto] md:items-start">
        <FormField
          label="Name"
          {...bindText(form, 'name')}
          placeholder="@"
          hint={`@ or empty: ${hostLabel(zone.name, zone.display_name)}`}
          {...NAME_INPUT}
        />
        <SelectField
          label="Type"
          {...bindText(form, 'type')}
          options={types.map((t) => ({ value: t, label: t }))}
        />
        <FormField
          label="Content"
          {...bindText(form, 'content')}
          hint="Names in it are absolute (10 mail.example.com)."
          {...NAME_INPUT}
        />
        <FormField
          label="TTL"
          {...bindText(form, 'ttl')}
          inputMode="numeric"
          placeholder={String(defaultTtl)}
          hint="Seconds"
        />
        <div className="md:pt-6">
          <Button type="submit" loading={form.processing}>
            Add record
          </Button>
        </div>
      </div>
    </form>
  );
}

function Records({ zone, records, types, defaultTtl }: { zone: Zone; records: DnsShowProps['records']; types: string[]; defaultTtl: number }) {
  const path = `/dns/zones/${segment(zone.name)}`;
  return (
    <Card
      title="Records"
      description={countMatching(records.total, 'record', 'records', records.search)}
      actions={<SearchForm path={path} initial={records.search} label="Search records" placeholder="Search name or content" />}
      flush
    >
      <AddRecord zone={zone} types={types} defaultTtl={defaultTtl} />
      {records.items.length === 0 ? (
        <EmptyState title="No matching records" description={`Nothing matches “${records.search}”.`} />
      ) : (
        <div className="overflow-x-auto">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <caption className="sr-only">Records</caption>
            <thead className="bg-slate-50">
              <tr>
                <th scope="col" className={`${HEAD} w-48`}>
                  Name
                </th>
                <th scope="col" className={`${HEAD} w-28`}>
                  Type
                </th>
                <th scope="col" className={HEAD}>
                  Content
                </th>
                <th scope="col" className={`${HEAD} hidden w-28 md:table-cell`}>
                  TTL
                </th>
                <th scope="col" className={`${HEAD} text-right`}>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 bg-white">
              {records.items.map((record) => (
                <DnsRecordRow key={record.id} record={record} zone={zone.name} types={types} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pagination page={records.page} pages={records.pages} path={path} params={{ search: records.search }} />
    </Card>
  );
}

function DsRecord({ zone, ds }: { zone: string; ds: string }) {
  const line = `${zone}. IN DS ${ds}`;
  return (
    <li className="flex flex-wrap items-center justify-between gap-2 py-2">
      <code className="min-w-0 flex-1 font-mono text-xs break-all text-slate-800">{line}</code>
      <CopyButton text={ds} label="Copy DS" />
    </li>
  );
}

function KeyCard({ zone, dnskey }: { zone: string; dnskey: DnssecKey }) {
  return (
    <div className="rounded-lg p-4 ring-1 ring-slate-200">
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <span className="font-medium text-slate-900">Key {dnskey.id}</span>
        <Badge tone="indigo">{dnskey.kind.toUpperCase()}</Badge>
        <span className="text-slate-500">
          {dnskey.algorithm}, {dnskey.bits} bits
        </span>
        {!dnskey.active && <Badge tone="amber">inactive</Badge>}
        {!dnskey.published && <Badge tone="slate">not published</Badge>}
      </div>
      {dnskey.ds.length > 0 && (
        <div className="mt-3">
          <h3 className="text-xs font-semibold tracking-wide text-slate-500 uppercase">DS records for the registrar</h3>
          <ul className="divide-y divide-slate-100">
            {dnskey.ds.map((ds) => (
              <DsRecord key={ds} zone={zone} ds={ds} />
            ))}
          </ul>
        </div>
      )}
      <div className="mt-3 flex flex-wrap items-center justify-between gap-2">
        <code className="min-w-0 flex-1 font-mono text-xs break-all text-slate-600">DNSKEY {dnskey.dnskey}</code>
        <CopyButton text={dnskey.dnskey} label="Copy DNSKEY" />
      </div>
    </div>
  );
}

const ALGORITHMS = [
  { value: 'ecdsap256sha256', label: 'ECDSA P-256 (13), accepted everywhere' },
  { value: 'ed25519', label: 'Ed25519 (15), smaller; not every registry takes it' },
];

function Dnssec({ zone, dnssec, error }: { zone: Zone; dnssec: DnsShowProps['dnssec']; error: string | null }) {
  const { busy, options } = useActionRequest();
  const [algorithm, setAlgorithm] = useState('ecdsap256sha256');
  const base = `/dns/zones/${segment(zone.name)}`;
  const keys = dnssec?.keys ?? [];

  return (
    <Card
      title={
        <span className="flex items-center gap-2">
          DNSSEC <Badge tone={zone.secured ? 'green' : 'slate'} dot>{zone.secured ? 'on' : 'off'}</Badge>
        </span>
      }
      description={
        zone.secured
          ? 'The zone is signed. Give the DS record to the registrar of the domain so resolvers can check the signatures.'
          : 'Signing lets resolvers check that the answers are the zone’s own.'
      }
      actions={
        zone.secured ? (
          <ConfirmButton
            title={
              <>
                Turn DNSSEC off for <HostName name={zone.name} display={zone.display_name} />?
              </>
            }
            message="Remove the DS record at the registrar first and wait for its TTL: while a DS record is published, resolvers that check signatures cannot resolve an unsigned zone."
            confirmLabel="Turn DNSSEC off"
            loading={busy}
            onConfirm={() => router.post(`${base}/unsecure`, {}, options)}
          >
            Turn DNSSEC off
          </ConfirmButton>
        ) : (
          <ConfirmButton
            variant="primary"
            title={
              <>
                Sign <HostName name={zone.name} display={zone.display_name} /> with DNSSEC?
              </>
            }
            message={
              <>
                <p>A signing key is made and the zone is signed at once. Then give the DS record shown here to the registrar.</p>
                <label className="mt-3 block text-sm font-medium text-slate-700">
                  Algorithm
                  <select
                    className="mt-1.5 block w-full rounded-md border-0 px-3 py-2 text-sm ring-1 ring-slate-300 ring-inset"
                    value={algorithm}
                    onChange={(event) => setAlgorithm(event.target.value)}
                  >
                    {ALGORITHMS.map((a) => (
                      <option key={a.value} value={a.value}>
                        {a.label}
                      </option>
                    ))}
                  </select>
                </label>
              </>
            }
            confirmLabel="Turn DNSSEC on"
            loading={busy}
            onConfirm={() => router.post(`${base}/secure`, { algorithm }, options)}
          >
            Turn DNSSEC on
          </ConfirmButton>
        )
      }
    >
      {error !== null ? (
        <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 ring-1 ring-amber-600/20 ring-inset">
          The keys could not be read: {error}
        </p>
      ) : zone.secured ? (
        <div className="space-y-3">
          {keys.map((k) => (
            <KeyCard key={k.id} zone={zone.name} dnskey={k} />
          ))}
        </div>
      ) : (
        <p className="text-sm text-slate-500">No keys: the zone is not signed.</p>
      )}
    </Card>
  );
}

function ImportZone({ zone }: { zone: Zone }) {
  const form = useForm({ zone_file: '' });
  const errors: Partial<Record<string, string>> = form.errors;

  return (
    <Card
      title="Import a zone file"
      description="Replaces every record with the file’s (the SOA stays the panel’s). A file without NS records at the apex keeps the zone’s."
    >
      <form noValidate className="space-y-4" onSubmit={(event) => event.preventDefault()}>
        <FormAlert errors={errors} fields={['zone_file']} />
        <ZoneFileField
          placeholder={`$TTL 3600\n@    IN A     192.0.2.10\nwww  IN CNAME ${zone.name}.`}
          value={form.data.zone_file}
          onChange={(text) => form.setData('zone_file', text)}
          error={errors.zone_file}
          hint="RFC 1035 master file; $ORIGIN and $TTL are understood."
        />
        <div className="flex justify-end">
          <ConfirmButton
            variant="primary"
            size="md"
            title={
              <>
                Replace the records of <HostName name={zone.name} display={zone.display_name} />?
              </>
            }
            message="Afterwards the zone holds exactly the file’s records; records not in the file are deleted."
            confirmLabel="Replace the records"
            disabled={form.data.zone_file.trim() === ''}
            loading={form.processing}
            onConfirm={() =>
              form.post(`/dns/zones/${segment(zone.name)}/import`, { preserveScroll: true, onSuccess: () => form.reset() })
            }
          >
            Import
          </ConfirmButton>
        </div>
      </form>
    </Card>
  );
}

function Secondaries({ zone, secondaries }: { zone: Zone; secondaries: DnsShowProps['secondaries'] }) {
  const form = useForm({ secondaries: secondaries.own.join(' ') });
  const errors: Partial<Record<string, string>> = form.errors;

  function submit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    form.transform((data) => ({ secondaries: parseAliases(data.secondaries) }));
    form.post(`/dns/zones/${segment(zone.name)}/secondaries`, { preserveScroll: true });
  }

  return (
    <FormCard
      title="Secondary servers"
      description="They are notified of every change and may transfer the zone (AXFR)."
      onSubmit={submit}
      form={form}
      fields={['secondaries']}
      submitLabel="Save secondaries"
      className="space-y-4"
    >
      <div>
        <p className="text-sm font-medium text-slate-700">Every zone’s (set by the administrators)</p>
        <p className="mt-1 text-sm text-slate-600">
          {secondaries.server.length > 0 ? (
            <code className="font-mono">{secondaries.server.join(', ')}</code>
          ) : (
            <span className="text-slate-400">None</span>
          )}
        </p>
      </div>
      <FormField
        label="This zone’s own"
        {...bindText(form, 'secondaries')}
        hint="IP addresses, separated by spaces or commas."
        autoComplete="off"
        spellCheck={false}
        error={Object.entries(errors).find(([k]) => k === 'secondaries' || k.startsWith('secondaries.'))?.[1]}
      />
    </FormCard>
  );
}

export default function Show({ zone, records, record_types, default_ttl, dnssec, dnssec_error, secondaries }: PageProps<DnsShowProps>) {
  const base = `/dns/zones/${segment(zone.name)}`;
  const rows: Detail[] = [
    ['Zone', <HostName key="zone" name={zone.name} display={zone.display_name} />],
    ['Hosting account', zone.account ?? <span className="text-slate-500">None (administrators’ zone)</span>],
    ['Serial', <code key="serial" className="font-mono text-sm">{zone.serial}</code>],
    ['Records', String(zone.records)],
    ['Default TTL', ttlLabel(default_ttl)],
    ['Created', formatDateTime(zone.created_at)],
  ];

  return (
    <Layout
      title={hostLabel(zone.name, zone.display_name)}
      heading={<HostName name={zone.name} display={zone.display_name} />}
      description={zone.account === null ? 'Administrators’ zone' : `Zone of ${zone.account}`}
      back={{ href: '/dns', label: 'DNS zones' }}
      actions={
        <>
          <a href={`${base}/export`} download={`${zone.name}.zone`} className={buttonClasses('secondary', 'sm')}>
            Export zone file
          </a>
          <ZoneActions zone={zone} />
        </>
      }
    >
      <div className="space-y-6">
        <Card title="Zone details">
          <DetailList rows={rows} />
        </Card>
        <Records zone={zone} records={records} types={record_types} defaultTtl={default_ttl} />
        <Dnssec zone={zone} dnssec={dnssec} error={dnssec_error} />
        <div className="grid grid-cols-1 gap-6 xl:grid-cols-2">
          <ImportZone zone={zone} />
          <Secondaries zone={zone} secondaries={secondaries} />
        </div>
      </div>
    </Layout>
  );
}
