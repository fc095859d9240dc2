import { Link, useForm } from '@inertiajs/react';
import { useState, type FormEvent } from 'react';
import AccountActions from '../../components/AccountActions';
import StateBadge from '../../components/StateBadge';
import Button from '../../components/Button';
import FormCard from '../../components/FormCard';
import { FormField, SelectField } from '../../components/FormField';
import Layout from '../../components/Layout';
import SearchListCard from '../../components/SearchListCard';
import type { Column } from '../../components/Table';
import { bindText, NAME_INPUT, resetAndClose } from '../../lib/form';
import { countMatching, formatDate } from '../../lib/format';
import { generatePassword } from '../../lib/password';
import { planChoiceLabel } from '../../lib/planForm';
import { segment } from '../../lib/url';
import type { Account, AccountsIndexProps, PageProps } from '../../types';

const CREATE_FIELDS = ['name', 'email', 'password', 'reseller', 'plan'] as const;

function CreateAccount({
  resellers,
  plans,
  asAdmin,
  onClose,
}: {
  resellers: AccountsIndexProps['resellers'];
  plans: AccountsIndexProps['plans'];
  asAdmin: boolean;
  onClose: () => void;
}) {
  const form = useForm({ name: '', email: '', password: '', reseller: '', plan: '' });
  const [showPassword, setShowPassword] = useState(false);
  const chooseReseller = resellers.length > 0;
  // The server's plans, and those of the account's reseller (a reseller's are all its own).
  const offered = plans.filter((plan) => !asAdmin || plan.owner === null || plan.owner === form.data.reseller);
  const serverDefault = plans.find((plan) => plan.is_default && plan.owner === null);

  function submit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    // Only admins may name an owner; everyone else sends no reseller at all. No plan named:
    // the server's default plan.
    form.transform(({ reseller, plan, ...rest }) => ({
      ...rest,
      ...(chooseReseller && reseller !== '' ? { reseller } : {}),
      ...(plan !== '' ? { plan } : {}),
    }));
    form.post('/accounts', resetAndClose(form, onClose));
  }

  return (
    <FormCard
      title="New hosting account"
      description="Creates the Linux user and its panel login."
      onSubmit={submit}
      form={form}
      fields={CREATE_FIELDS}
      submitLabel="Create account"
      onCancel={onClose}
    >
      <div className="grid grid-cols-1 gap-5 md:grid-cols-2">
        <FormField
          label="Name"
          {...bindText(form, 'name')}
          hint="Lowercase letters, digits and hyphens; also the Linux user name."
          {...NAME_INPUT}
          required
        />
        <FormField
          label="E-mail"
          {...bindText(form, 'email')}
          type="email"
          autoComplete="off"
          required
        />
        <div>
          <FormField
            label="Password"
            {...bindText(form, 'password')}
            type={showPassword ? 'text' : 'password'}
            autoComplete="new-password"
            required
            className="[&_input]:font-mono"
          />
          <div className="mt-2 flex gap-3 text-xs">
            <button
              type="button"
              className="font-medium text-indigo-600 hover:text-indigo-500"
              onClick={() => {
                form.setData('password', generatePassword());
                setShowPassword(true);
              }}
            >
              Generate
            </button>
            <button
              type="button"
              className="font-medium text-slate-500 hover:text-slate-700"
              onClick={() => setShowPassword((shown) => !shown)}
            >
              {showPassword ? 'Hide' : 'Show'}
            </button>
          </div>
        </div>
        {chooseReseller && (
          <SelectField
            label="Reseller"
            {...bindText(form, 'reseller')}
            // Another owner, other plans: the chosen one may not be among them.
            onChange={(event) => form.setData((data) => ({ ...data, reseller: event.target.value, plan: '' }))}
            hint="The reseller who owns the account, if any."
            options={[
              { value: '', label: 'None (administrators)' },
              ...resellers.map((reseller) => ({ value: reseller.username, label: reseller.username })),
            ]}
          />
        )}
        <SelectField
          label="Plan"
          {...bindText(form, 'plan')}
          hint="Its limits: sites, zones, disk space and more."
          options={[
            { value: '', label: serverDefault !== undefined ? `The default plan (${serverDefault.name})` : 'The server’s default plan' },
            ...offered.map((plan) => ({ value: plan.name, label: planChoiceLabel(plan, asAdmin) })),
          ]}
        />
      </div>
    </FormCard>
  );
}

export default function Index({ accounts, can_create, resellers, plans, auth }: PageProps<AccountsIndexProps>) {
  const [creating, setCreating] = useState(false);
  const role = auth.user?.role;
  const showReseller = role === 'admin';
  const canManage = role === 'admin' || role === 'reseller';

  const columns: Column<Account>[] = [
    {
      key: 'name',
      header: 'Name',
      cell: (account) => (
        <div className="max-w-[11rem] min-w-0 sm:max-w-none">
          <Link href={`/accounts/${segment(account.name)}`} className="font-medium text-slate-900 hover:text-indigo-600">
            {account.name}
          </Link>
          {/* Narrow screens have no e-mail and state columns. */}
          <div className="truncate text-xs text-slate-500 sm:hidden">{account.email}</div>
          <div className="mt-1 sm:hidden">
            <StateBadge state={account.state} />
          </div>
        </div>
      ),
    },
    { key: 'email', header: 'E-mail', className: 'hidden sm:table-cell', cell: (account) => account.email },
    ...(showReseller
      ? [
          {
            key: 'reseller',
            header: 'Reseller',
            className: 'hidden lg:table-cell',
            cell: (account: Account) => account.reseller ?? <span className="text-slate-400">—</span>,
          },
        ]
      : []),
    {
      key: 'state',
      header: 'State',
      className: 'hidden sm:table-cell',
      cell: (account) => <StateBadge state={account.state} />,
    },
    {
      key: 'created',
      header: 'Created',
      className: 'hidden md:table-cell whitespace-nowrap',
      cell: (account) => formatDate(account.created_at),
    },
    ...(canManage
      ? [
          {
            key: 'actions',
            header: <span className="sr-only">Actions</span>,
            align: 'right' as const,
            cell: (account: Account) => <AccountActions account={account} inTable />,
          },
        ]
      : []),
  ];

  return (
    <Layout
      title="Hosting accounts"
      description={countMatching(accounts.total, 'account', 'accounts', accounts.search)}
      actions={
        can_create && !creating ? <Button onClick={() => setCreating(true)}>New account</Button> : undefined
      }
    >
      <div className="space-y-6">
        {creating && <CreateAccount resellers={resellers} plans={plans} asAdmin={showReseller} onClose={() => setCreating(false)} />}
        <SearchListCard
          title="Accounts"
          path="/accounts"
          list={accounts}
          searchLabel="Search accounts"
          placeholder="Search name or e-mail"
          caption="Hosting accounts"
          columns={columns}
          rowKey={(account) => account.name}
          plural="accounts"
          empty={{
            title: 'No hosting accounts yet',
            description: 'Each account is a Linux user with its own websites, mail and databases.',
            action: can_create ? <Button onClick={() => setCreating(true)}>New account</Button> : undefined,
          }}
        />
      </div>
    </Layout>
  );
}
