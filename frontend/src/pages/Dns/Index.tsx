import { Link, useForm } from '@inertiajs/react';
import { useState, type FormEvent } from 'react';
import Badge from '../../components/Badge';
import Button, { buttonClasses } from '../../components/Button';
import FormCard from '../../components/FormCard';
import { FormField, SelectField } from '../../components/FormField';
import HostName from '../../components/HostName';
import Layout from '../../components/Layout';
import SearchListCard from '../../components/SearchListCard';
import type { Column } from '../../components/Table';
import ZoneActions from '../../components/ZoneActions';
import ZoneFileField from '../../components/ZoneFileField';
import { bindText, NAME_INPUT } from '../../lib/form';
import { countMatching, formatDate } from '../../lib/format';
import { segment } from '../../lib/url';
import type { DnsIndexProps, PageProps, Role, Zone } from '../../types';

const CREATE_FIELDS = ['name', 'account', 'template', 'zone_file'] as const;
// The "start from" choice that means a zone file instead of a template.
const FROM_FILE = ' file';

function accountOptions(role: Role, accounts: string[]): { value: string; label: string }[] {
  const own = accounts.map((a) => ({ value: a, label: a }));
  if (role === 'admin') return [{ value: '', label: 'None (administrators’ zone)' }, ...own];
  return [{ value: '', label: 'Choose an account…' }, ...own];
}

function CreateZone({
  role,
  accounts,
  templates,
  onClose,
}: {
  role: Role;
  accounts: string[];
  templates: DnsIndexProps['templates'];
  onClose: () => void;
}) {
  const chooseAccount = role !== 'customer' && (role === 'admin' || accounts.length > 1);
  const form = useForm({
    name: '',
    account: role !== 'admin' && accounts.length === 1 ? (accounts[0] ?? '') : '',
    template: '',
    zone_file: '',
  });
  const errors: Partial<Record<string, string>> = form.errors;
  const fromFile = form.data.template === FROM_FILE;
  const startOptions = [
    ...(templates.length > 0
      ? templates.map((t) => ({
          value: t.is_default ? '' : t.name,
          label: `Template ${t.name}${t.is_default ? ' (default)' : ''}${t.description ? `: ${t.description}` : ''}`,
        }))
      : [{ value: '', label: 'The default template' }]),
    { value: FROM_FILE, label: 'A zone file…' },
  ];

  function submit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    form.transform((data) => ({
      name: data.name.trim(),
      account: data.account,
      ...(data.template === FROM_FILE ? { zone_file: data.zone_file } : { template: data.template }),
    }));
    form.post('/dns', { onSuccess: () => form.reset() });
  }

  return (
    <FormCard
      title="New zone"
      description="The server answers for the zone at once; point the domain’s name servers here at its registrar."
      onSubmit={submit}
      form={form}
      fields={CREATE_FIELDS}
      submitLabel="Create zone"
      onCancel={onClose}
    >
      <div className="grid grid-cols-1 gap-5 md:grid-cols-3">
        <FormField
          label="Zone"
          {...bindText(form, 'name')}
          hint="The domain, such as example.com"
          {...NAME_INPUT}
          required
        />
        {chooseAccount ? (
          <SelectField
            label="Hosting account"
            {...bindText(form, 'account')}
            options={accountOptions(role, accounts)}
          />
        ) : (
          <FormField label="Hosting account" name="account" value={form.data.account} readOnly error={errors.account} />
        )}
        <SelectField
          label="Start from"
          {...bindText(form, 'template')}
          options={startOptions}
        />
      </div>
      {fromFile && (
        <ZoneFileField
          value={form.data.zone_file}
          onChange={(text) => form.setData('zone_file', text)}
          error={errors.zone_file}
          hint="RFC 1035 master file; NS records at the apex are added when it has none."
        />
      )}
    </FormCard>
  );
}

export default function Index({ zones, accounts, can_create, templates, auth }: PageProps<DnsIndexProps>) {
  const [creating, setCreating] = useState(false);
  const role = auth.user?.role ?? 'customer';

  const columns: Column<Zone>[] = [
    {
      key: 'name',
      header: 'Zone',
      cell: (zone) => (
        <div className="max-w-[14rem] min-w-0 sm:max-w-none">
          <Link href={`/dns/zones/${segment(zone.name)}`} className="font-medium text-slate-900 hover:text-indigo-600">
            <HostName name={zone.name} display={zone.display_name} />
          </Link>
          <div className="text-xs text-slate-500 sm:hidden">{zone.account ?? 'administrators'}</div>
        </div>
      ),
    },
    {
      key: 'account',
      header: 'Account',
      className: 'hidden sm:table-cell',
      cell: (zone) => zone.account ?? <span className="text-slate-400">administrators</span>,
    },
    { key: 'records', header: 'Records', className: 'hidden md:table-cell', cell: (zone) => zone.records },
    {
      key: 'serial',
      header: 'Serial',
      className: 'hidden lg:table-cell',
      cell: (zone) => <code className="font-mono text-xs">{zone.serial}</code>,
    },
    {
      key: 'dnssec',
      header: 'DNSSEC',
      cell: (zone) => (
        <Badge tone={zone.secured ? 'green' : 'slate'} dot>
          {zone.secured ? 'signed' : 'off'}
        </Badge>
      ),
    },
    {
      key: 'created',
      header: 'Created',
      className: 'hidden lg:table-cell whitespace-nowrap',
      cell: (zone) => formatDate(zone.created_at),
    },
    { key: 'actions', header: <span className="sr-only">Actions</span>, align: 'right', cell: (zone) => <ZoneActions zone={zone} inTable /> },
  ];

  return (
    <Layout
      title="DNS zones"
      description={countMatching(zones.total, 'zone', 'zones', zones.search)}
      actions={
        <>
          {role === 'admin' && (
            <Link href="/dns/settings" className={buttonClasses('secondary')}>
              Templates and defaults
            </Link>
          )}
          {can_create && !creating && <Button onClick={() => setCreating(true)}>New zone</Button>}
        </>
      }
    >
      <div className="space-y-6">
        {creating && <CreateZone role={role} accounts={accounts} templates={templates} onClose={() => setCreating(false)} />}
        <SearchListCard
          title="Zones"
          path="/dns"
          list={zones}
          searchLabel="Search zones"
          placeholder="Search zone or account"
          caption="DNS zones"
          columns={columns}
          rowKey={(zone) => zone.name}
          plural="zones"
          empty={{
            title: 'No zones yet',
            description: 'A zone holds a domain’s DNS records, answered by this server’s name server.',
            action: can_create ? <Button onClick={() => setCreating(true)}>New zone</Button> : undefined,
          }}
        />
      </div>
    </Layout>
  );
}
