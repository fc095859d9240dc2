import { Link, useForm } from '@inertiajs/react';
import { useState, type FormEvent } from 'react';
import Button from '../../components/Button';
import FormCard from '../../components/FormCard';
import { CheckboxField, FormField, SelectField } from '../../components/FormField';
import HostName, { hostLabels, HostNames } from '../../components/HostName';
import Layout from '../../components/Layout';
import SearchListCard from '../../components/SearchListCard';
import SiteActions from '../../components/SiteActions';
import SiteBadge from '../../components/SiteBadge';
import { AliasesField, DocrootField, RedirectAliasesField } from '../../components/SiteFields';
import type { Column } from '../../components/Table';
import { bindCheck, bindText, NAME_INPUT, resetAndClose } from '../../lib/form';
import { countMatching, formatDate } from '../../lib/format';
import { fieldError, parseAliases, phpOptions } from '../../lib/siteForm';
import { segment } from '../../lib/url';
import type { PageProps, Site, SitesIndexProps } from '../../types';

const CREATE_FIELDS = ['domain', 'account', 'aliases', 'www', 'redirect_aliases', 'php', 'docroot', 'create_zone'] as const;

function CreateSite({
  accounts,
  php,
  onClose,
}: {
  accounts: string[];
  php: SitesIndexProps['php'];
  onClose: () => void;
}) {
  const chooseAccount = accounts.length > 1;
  const form = useForm({
    domain: '',
    account: accounts.length === 1 ? (accounts[0] ?? '') : '',
    aliases: '',
    www: true,
    redirect_aliases: false,
    php: php?.default ?? '',
    docroot: '',
    create_zone: false,
  });

  function submit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    form.transform((data) => ({ ...data, aliases: parseAliases(data.aliases) }));
    form.post('/sites', resetAndClose(form, onClose));
  }

  const errors: Partial<Record<string, string>> = form.errors;
  const domain = form.data.domain.trim() === '' ? 'DOMAIN' : form.data.domain.trim();

  return (
    <FormCard
      title="New site"
      description="Creates the site's folder, its nginx server block and, for PHP, its own PHP-FPM pool."
      onSubmit={submit}
      form={form}
      fields={[...CREATE_FIELDS, ...Object.keys(errors).filter((k) => k.startsWith('aliases.'))]}
      submitLabel="Create site"
      onCancel={onClose}
    >
      <div className="grid grid-cols-1 gap-5 md:grid-cols-2">
        <FormField
          label="Domain"
          {...bindText(form, 'domain')}
          hint="Such as example.com; internationalized names are fine."
          {...NAME_INPUT}
          required
        />
        {chooseAccount ? (
          <SelectField
            label="Hosting account"
            {...bindText(form, 'account')}
            options={[{ value: '', label: 'Choose an account…' }, ...accounts.map((a) => ({ value: a, label: a }))]}
          />
        ) : (
          <FormField label="Hosting account" name="account" value={form.data.account} readOnly error={errors.account} />
        )}
        <AliasesField {...bindText(form, 'aliases')} error={fieldError(errors, 'aliases')} />
        <SelectField
          label="PHP version"
          {...bindText(form, 'php')}
          hint={php === null ? 'The installed versions could not be read.' : undefined}
          options={phpOptions(php)}
        />
        <DocrootField {...bindText(form, 'docroot')} domain={domain} />
        <div className="space-y-3">
          <CheckboxField
            label={`Also answer to www.${domain}`}
            {...bindCheck(form, 'www')}
          />
          <RedirectAliasesField {...bindCheck(form, 'redirect_aliases')} />
          <CheckboxField
            label="Create a DNS zone"
            {...bindCheck(form, 'create_zone')}
            hint={`A zone for ${domain} from the default template, unless one covers it already.`}
          />
        </div>
      </div>
    </FormCard>
  );
}

export default function Index({ sites, accounts, can_create, php, auth }: PageProps<SitesIndexProps>) {
  const [creating, setCreating] = useState(false);
  const canSuspend = auth.user?.role === 'admin' || auth.user?.role === 'reseller';

  const columns: Column<Site>[] = [
    {
      key: 'domain',
      header: 'Domain',
      cell: (site) => (
        <div className="max-w-[14rem] min-w-0 sm:max-w-none">
          <Link href={`/sites/${segment(site.domain)}`} className="font-medium text-slate-900 hover:text-indigo-600">
            <HostName name={site.domain} display={site.display_domain} />
          </Link>
          {site.aliases.length > 0 && (
            // Cut to one line: the title attribute and the site's page list them all.
            <div className="truncate text-xs text-slate-500" title={hostLabels(site.aliases, site.display_aliases)}>
              {site.redirect_aliases ? '↪ ' : '+ '}
              <HostNames names={site.aliases} displays={site.display_aliases} />
            </div>
          )}
          <div className="mt-1 sm:hidden">
            <SiteBadge site={site} />
          </div>
        </div>
      ),
    },
    { key: 'account', header: 'Account', className: 'hidden sm:table-cell', cell: (site) => site.account },
    {
      key: 'php',
      header: 'PHP',
      className: 'hidden md:table-cell',
      cell: (site) => site.php ?? <span className="text-slate-400">static</span>,
    },
    { key: 'state', header: 'State', className: 'hidden sm:table-cell', cell: (site) => <SiteBadge site={site} /> },
    {
      key: 'created',
      header: 'Created',
      className: 'hidden lg:table-cell whitespace-nowrap',
      cell: (site) => formatDate(site.created_at),
    },
    {
      key: 'actions',
      header: <span className="sr-only">Actions</span>,
      align: 'right',
      cell: (site) => <SiteActions site={site} canSuspend={canSuspend} inTable />,
    },
  ];

  return (
    <Layout
      title="Sites"
      description={countMatching(sites.total, 'site', 'sites', sites.search)}
      actions={can_create && !creating ? <Button onClick={() => setCreating(true)}>New site</Button> : undefined}
    >
      <div className="space-y-6">
        {creating && <CreateSite accounts={accounts} php={php} onClose={() => setCreating(false)} />}
        <SearchListCard
          title="Sites"
          path="/sites"
          list={sites}
          searchLabel="Search sites"
          placeholder="Search domain or account"
          caption="Sites"
          columns={columns}
          rowKey={(site) => site.domain}
          plural="sites"
          empty={{
            title: 'No sites yet',
            description: 'A site is a domain served by nginx from a folder in a hosting account, with PHP if you want it.',
            action: can_create ? <Button onClick={() => setCreating(true)}>New site</Button> : undefined,
          }}
        />
      </div>
    </Layout>
  );
}
