import { useForm } from '@inertiajs/react';
import type { FormEvent, ReactNode } from 'react';
import Button from '../../components/Button';
import Card from '../../components/Card';
import { CheckboxField, FormAlert, FormField, SelectField } from '../../components/FormField';
import Layout from '../../components/Layout';
import SiteActions from '../../components/SiteActions';
import SiteBadge from '../../components/SiteBadge';
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
    <Card title="Settings" description="Saving re-applies the site at once.">
      <form onSubmit={submit} noValidate className="space-y-5">
        <FormAlert
          errors={errors}
          fields={[...EDIT_FIELDS, ...Object.keys(errors).filter((k) => k.startsWith('aliases.') || k.startsWith('limits.'))]}
        />
        <div className="grid grid-cols-1 gap-5 md:grid-cols-2">
          <FormField
            label="Aliases"
            name="aliases"
            hint="Other names of the site, separated by spaces or commas."
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            value={form.data.aliases}
            onChange={(event) => form.setData('aliases', event.target.value)}
            error={fieldError(errors, 'aliases')}
          />
          <SelectField
            label="PHP version"
            name="php"
            value={form.data.php}
            onChange={(event) => form.setData('php', event.target.value)}
            error={errors.php}
            options={phpOptions(php, site.php)}
          />
          <FormField
            label="Document root"
            name="docroot"
            hint={`Inside the account's home; empty for sites/${site.domain}/public.`}
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            value={form.data.docroot}
            onChange={(event) => form.setData('docroot', event.target.value)}
            error={errors.docroot}
          />
          <CheckboxField
            label="Redirect the aliases to the domain"
            name="redirect_aliases"
            hint="Permanent redirects (301), so the site has one canonical name."
            checked={form.data.redirect_aliases}
            onChange={(event) => form.setData('redirect_aliases', event.target.checked)}
            error={errors.redirect_aliases}
          />
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
        <div className="flex justify-end">
          <Button type="submit" loading={form.processing}>
            Save settings
          </Button>
        </div>
      </form>
    </Card>
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
  const rows: [string, ReactNode][] = [
    ['Domain', site.display_domain === site.domain ? site.domain : `${site.display_domain} (${site.domain})`],
    ['Aliases', site.aliases.length > 0 ? site.aliases.join(', ') : <span className="text-slate-400">—</span>],
    ['Hosting account', site.account],
    ['State', <SiteBadge key="state" site={site} />],
    ['PHP', site.php === null ? 'None (static site)' : `PHP ${site.php}`],
    ['Document root', <Mono key="root" value={site.document_root} />],
    ['Created', formatDateTime(site.created_at)],
  ];

  return (
    <Layout
      title={site.display_domain}
      description={`Site of ${site.account}`}
      back={{ href: '/sites', label: 'Sites' }}
      actions={<SiteActions site={site} canSuspend={can_suspend} />}
    >
      <div className="space-y-6">
        <Card title="Site details">
          <dl className="divide-y divide-slate-100">
            {rows.map(([term, value]) => (
              <div key={term} className="grid grid-cols-1 gap-1 py-3 first:pt-0 last:pb-0 sm:grid-cols-3 sm:gap-4">
                <dt className="text-sm font-medium text-slate-500">{term}</dt>
                <dd className="text-sm text-slate-900 sm:col-span-2">{value}</dd>
              </div>
            ))}
          </dl>
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
