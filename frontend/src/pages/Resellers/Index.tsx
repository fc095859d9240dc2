import { useForm } from '@inertiajs/react';
import { useState, type FormEvent } from 'react';
import Button from '../../components/Button';
import Card from '../../components/Card';
import EmptyState from '../../components/EmptyState';
import FormCard from '../../components/FormCard';
import { FormField } from '../../components/FormField';
import Layout from '../../components/Layout';
import ProgressBar from '../../components/ProgressBar';
import Table from '../../components/Table';
import { bindText, NAME_INPUT, resetAndClose } from '../../lib/form';
import { percent } from '../../lib/format';
import type { PageProps, Reseller, ResellersIndexProps } from '../../types';

const FIELDS = ['username', 'email', 'password', 'max_accounts'] as const;

function CreateReseller({ onClose }: { onClose: () => void }) {
  const form = useForm({ username: '', email: '', password: '', max_accounts: '' });

  function submit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    // An empty limit means "no limit", which the server reads as null.
    form.transform(({ max_accounts, ...rest }) => ({
      ...rest,
      max_accounts: max_accounts.trim() === '' ? null : Number(max_accounts),
    }));
    form.post('/resellers', resetAndClose(form, onClose));
  }

  return (
    <FormCard
      title="New reseller"
      description="A reseller creates and manages hosting accounts of their own."
      onSubmit={submit}
      form={form}
      fields={FIELDS}
      submitLabel="Create reseller"
      onCancel={onClose}
    >
      <div className="grid grid-cols-1 gap-5 md:grid-cols-2">
        <FormField
          label="Username"
          {...bindText(form, 'username')}
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
        <FormField
          label="Password"
          {...bindText(form, 'password')}
          type="password"
          autoComplete="new-password"
          required
        />
        <FormField
          label="Account limit"
          {...bindText(form, 'max_accounts')}
          type="number"
          inputMode="numeric"
          min={0}
          step={1}
          hint="Leave empty for no limit."
        />
      </div>
    </FormCard>
  );
}

function Usage({ reseller }: { reseller: Reseller }) {
  if (reseller.max_accounts === null) {
    return (
      <span className="tabular-nums">
        {reseller.accounts} <span className="text-slate-400">/ no limit</span>
      </span>
    );
  }
  const share = percent(reseller.accounts, reseller.max_accounts);
  return (
    <div className="flex items-center justify-end gap-3">
      <div className="hidden w-24 sm:block">
        <ProgressBar
          value={share}
          label={`${reseller.username}: accounts used`}
          tone={share >= 100 ? 'red' : share >= 80 ? 'amber' : 'indigo'}
        />
      </div>
      <span className="tabular-nums">
        {reseller.accounts} <span className="text-slate-400">/ {reseller.max_accounts}</span>
      </span>
    </div>
  );
}

export default function Index({ resellers }: PageProps<ResellersIndexProps>) {
  const [creating, setCreating] = useState(false);
  return (
    <Layout
      title="Resellers"
      description="Resellers manage their own customers, within the limits you set."
      actions={!creating ? <Button onClick={() => setCreating(true)}>New reseller</Button> : undefined}
    >
      <div className="space-y-6">
        {creating && <CreateReseller onClose={() => setCreating(false)} />}
        <Card flush>
          <Table<Reseller>
            caption="Resellers"
            rows={resellers}
            rowKey={(reseller) => reseller.username}
            empty={
              <EmptyState
                title="No resellers yet"
                description="Create one to let someone else sell hosting accounts on this server."
                action={!creating ? <Button onClick={() => setCreating(true)}>New reseller</Button> : undefined}
              />
            }
            columns={[
              {
                key: 'username',
                header: 'Username',
                cell: (reseller) => (
                  <div className="min-w-0">
                    <div className="font-medium text-slate-900">{reseller.username}</div>
                    <div className="truncate text-xs text-slate-500 sm:hidden">{reseller.email}</div>
                  </div>
                ),
              },
              { key: 'email', header: 'E-mail', className: 'hidden sm:table-cell', cell: (reseller) => reseller.email },
              { key: 'accounts', header: 'Accounts', align: 'right', cell: (reseller) => <Usage reseller={reseller} /> },
            ]}
          />
        </Card>
      </div>
    </Layout>
  );
}
