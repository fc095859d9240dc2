import { useForm } from '@inertiajs/react';
import type { FormEvent } from 'react';
import Card from '../../components/Card';
import DetailList, { type Detail } from '../../components/DetailList';
import FormCard from '../../components/FormCard';
import { FormField, SelectField } from '../../components/FormField';
import HostName, { hostLabel, HostNames } from '../../components/HostName';
import Layout from '../../components/Layout';
import SiteActions from '../../components/SiteActions';
import SiteBadge from '../../components/SiteBadge';
import { AliasesField, DocrootField, RedirectAliasesField } from '../../components/SiteFields';
import { bindCheck, bindText } from '../../lib/form';
import { formatDateTime } from '../../lib/format';
import { fieldError, parseAliases, phpOptions } from '../../lib/siteForm';
import { segment } from '../../lib/url';
import type { PageProps, PhpLimits, SiteDetail, SitesShowProps } from '../../types';

const EDIT_FIELDS = ['aliases', 'redirect_aliases', 'php', 'docroot', 'limits'] as const;
const LIMITS: { key: keyof PhpLimits; label: string; hint: string }[] = [
  { key: 'max_children', label: 'PHP processes at most', hint: '1 to 64' },
  { key: 'memory_limit_mb', label: 'Memory limit (MB)', hint: '16 to 4096' },
  { key: 'max_execution_time', label: 'Execution time limit (s)', hint: '1 to 3600' },
  { key: 'upload_max_mb', label: 'Upload size limit (MB)', hint: '1 to 4096' },
];

function Mono({ value }: { value: string | null }) {
  return value === null || value === '' ? (
    <span className="text-slate-400">—</span>
  ) : (
    <code className="font-mono text-sm break-all">{value}</code>
  );
}

function EditSite({ site, php, canSetLimits }: { site: SiteDetail; php: SitesShowProps['php']; canSetLimits: boolean }) {
  const form = useForm({
    aliases: site.aliases.join(' '),
    redirect_aliases: site.redirect_aliases,
    php: site.php ?? '',
    docroot: site.docroot ?? '',
    limits: site.limits,
  });
  const errors: Partial<Record<string, string>> = form.errors;

  function submit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    form.transform(({ limits, ...data }) => ({
      ...data,
      aliases: parseAliases(data.aliases),
      ...(canSetLimits ? { limits } : {}),
    }));
    form.post(`/sites/${segment(site.domain)}`, { preserveScroll: true });
  }

  return (
    <FormCard
      title="Settings"
      description="Saving re-applies the site at once."
      onSubmit={submit}
      form={form}
      fields={[...EDIT_FIELDS, ...Object.keys(errors).filter((k) => k.startsWith('aliases.') || k.startsWith('limits.'))]}
      submitLabel="Save settings"
    >
      <div className="grid grid-cols-1 gap-5 md:grid-cols-2">
        <AliasesField {...bindText(form, 'aliases')} error={fieldError(errors, 'aliases')} />
        <SelectField
          label="PHP version"
          {...bindText(form, 'php')}
          options={phpOptions(php, site.php)}
        />
        <DocrootField {...bindText(form, 'docroot')} domain={site.domain} />
        <RedirectAliasesField {...bindCheck(form, 'redirect_aliases')} />
        {canSetLimits &&
          LIMITS.map(({ key, label, hint }) => (
            <FormField
              key={key}
              label={label}
              name={`limits.${key}`}
              type="number"
              hint={hint}
              value={String(form.data.limits[key])}
              onChange={(event) => form.setData('limits', { ...form.data.limits, [key]: Number(event.target.value) })}
              error={errors[`limits.${key}`] ?? errors.limits}
            />
          ))}
      </div>
    </FormCard>
  );
}

function LogTail({ title, lines }: { title: string; lines: string[] }) {
  return (
    <Card title={title} flush>
      {lines.length === 0 ? (
        <p className="px-5 py-4 text-sm text-slate-500">Nothing logged yet.</p>
      ) : (
        <pre className="max-h-80 overflow-auto bg-slate-950 px-4 py-3 font-mono text-xs leading-5 text-slate-100">
          {lines.join('\n')}
        </pre>
      )}
    </Card>
  );
}

export default function Show({ site, logs, logs_error, php, can_suspend }: PageProps<SitesShowProps>) {
  const rows: Detail[] = [
    ['Domain', <HostName key="domain" name={site.domain} display={site.display_domain} />],
    [
      'Aliases',
      site.aliases.length > 0 ? (
        <HostNames key="aliases" names={site.aliases} displays={site.display_aliases} />
      ) : (
        <span className="text-slate-400">—</span>
      ),
    ],
    ['Hosting account', site.account],
    ['State', <SiteBadge key="state" site={site} />],
    ['PHP', site.php === null ? 'None (static site)' : `PHP ${site.php}`],
    ['Document root', <Mono key="root" value={site.document_root} />],
    ['Created', formatDateTime(site.created_at)],
  ];

  return (
    <Layout
      title={hostLabel(site.domain, site.display_domain)}
      heading={<HostName name={site.domain} display={site.display_domain} />}
      description={`Site of ${site.account}`}
      back={{ href: '/sites', label: 'Sites' }}
      actions={<SiteActions site={site} canSuspend={can_suspend} />}
    >
      <div className="space-y-6">
        <Card title="Site details">
          <DetailList rows={rows} />
        </Card>
        <EditSite site={site} php={php} canSetLimits={can_suspend} />
        {logs_error !== null ? (
          <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 ring-1 ring-amber-600/20 ring-inset">
            The logs could not be read: {logs_error}
          </p>
        ) : (
          <div className="grid grid-cols-1 gap-6 xl:grid-cols-2">
            <LogTail title="Access log (last lines)" lines={logs.access} />
            <LogTail title="Error log (last lines)" lines={logs.error} />
          </div>
        )}
      </div>
    </Layout>
  );
}
