import { Link, useForm } from '@inertiajs/react';
import { useState, type FormEvent } from 'react';
import Button from '../../components/Button';
import Card from '../../components/Card';
import EmptyState from '../../components/EmptyState';
import { CheckboxField, FormAlert, FormField, SelectField } from '../../components/FormField';
import Layout from '../../components/Layout';
import Pagination from '../../components/Pagination';
import SearchForm from '../../components/SearchForm';
import SiteActions from '../../components/SiteActions';
import SiteBadge from '../../components/SiteBadge';
import Table, { type Column } from '../../components/Table';
import { formatDate } from '../../lib/format';
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
    form.post('/sites', {
      preserveScroll: true,
      onSuccess: () => {
        form.reset();
        onClose();
      },
    });
  }

  const errors: Partial<Record<string, string>> = form.errors;
  const domain = form.data.domain.trim() === '' ? 'DOMAIN' : form.data.domain.trim();

  return (
    <Card title="New site" description="Creates the site's folder, its nginx server block and, for PHP, its own PHP-FPM pool.">
      <form onSubmit={submit} noValidate className="space-y-5">
        <FormAlert errors={errors} fields={[...CREATE_FIELDS, ...Object.keys(errors).filter((k) => k.startsWith('aliases.'))]} />
        <div className="grid grid-cols-1 gap-5 md:grid-cols-2">
          <FormField
            label="Domain"
            name="domain"
            hint="Such as example.com; internationalized names are fine."
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            required
            value={form.data.domain}
            onChange={(event) => form.setData('domain', event.target.value)}
            error={errors.domain}
          />
          {chooseAccount ? (
            <SelectField
              label="Hosting account"
              name="account"
              value={form.data.account}
              onChange={(event) => form.setData('account', event.target.value)}
              error={errors.account}
              options={[{ value: '', label: 'Choose an account…' }, ...accounts.map((a) => ({ value: a, label: a }))]}
            />
          ) : (
            <FormField label="Hosting account" name="account" value={form.data.account} readOnly error={errors.account} />
          )}
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
            hint={php === null ? 'The installed versions could not be read.' : undefined}
            value={form.data.php}
            onChange={(event) => form.setData('php', event.target.value)}
            error={errors.php}
            options={phpOptions(php)}
          />
          <FormField
            label="Document root"
            name="docroot"
            hint={`Inside the account's home; empty for sites/${domain}/public.`}
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            value={form.data.docroot}
            onChange={(event) => form.setData('docroot', event.target.value)}
            error={errors.docroot}
          />
          <div className="space-y-3">
            <CheckboxField
              label={`Also answer to www.${domain}`}
              name="www"
              checked={form.data.www}
              onChange={(event) => form.setData('www', event.target.checked)}
              error={errors.www}
            />
            <CheckboxField
              label="Redirect the aliases to the domain"
              name="redirect_aliases"
              hint="Permanent redirects (301), so the site has one canonical name."
              checked={form.data.redirect_aliases}
              onChange={(event) => form.setData('redirect_aliases', event.target.checked)}
              error={errors.redirect_aliases}
            />
            <CheckboxField
              label="Create a DNS zone"
              name="create_zone"
              hint={`A zone for ${domain} from the default template, unless one covers it already.`}
              checked={form.data.create_zone}
              onChange={(event) => form.setData('create_zone', event.target.checked)}
              error={errors.create_zone}
            />
          </div>
        </div>
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={form.processing}>
            Create site
          </Button>
        </div>
      </form>
    </Card>
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
            {site.display_domain}
          </Link>
          {site.aliases.length > 0 && (
            <div className="truncate text-xs text-slate-500">
              {site.redirect_aliases ? '↪ ' : '+ '}
              {site.aliases.join(', ')}
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

  const searching = sites.search !== '';

  return (
    <Layout
      title="Sites"
      description={`${sites.total} ${sites.total === 1 ? 'site' : 'sites'}${searching ? ` matching “${sites.search}”` : ''}`}
      actions={can_create && !creating ? <Button onClick={() => setCreating(true)}>New site</Button> : undefined}
    >
      <div className="space-y-6">
        {creating && <CreateSite accounts={accounts} php={php} onClose={() => setCreating(false)} />}
        <Card title="Sites" actions={<SearchForm path="/sites" initial={sites.search} label="Search sites" placeholder="Search domain or account" />} flush>
          <Table
            caption="Sites"
            columns={columns}
            rows={sites.items}
            rowKey={(site) => site.domain}
            empty={
              searching ? (
                <EmptyState title="No matching sites" description={`Nothing matches “${sites.search}”.`} />
              ) : (
                <EmptyState
                  title="No sites yet"
                  description="A site is a domain served by nginx from a folder in a hosting account, with PHP if you want it."
                  action={can_create ? <Button onClick={() => setCreating(true)}>New site</Button> : undefined}
                />
              )
            }
          />
          <Pagination page={sites.page} pages={sites.pages} path="/sites" params={{ search: sites.search }} />
        </Card>
      </div>
    </Layout>
  );
}
