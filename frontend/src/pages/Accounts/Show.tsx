import { useForm } from '@inertiajs/react';
import type { FormEvent } from 'react';
import AccountActions from '../../components/AccountActions';
import StateBadge from '../../components/StateBadge';
import Button from '../../components/Button';
import Card from '../../components/Card';
import DetailList, { type Detail } from '../../components/DetailList';
import { SelectField } from '../../components/FormField';
import Layout from '../../components/Layout';
import PlanUsage from '../../components/PlanUsage';
import { bindText } from '../../lib/form';
import { formatDateTime } from '../../lib/format';
import { choiceValue, fromChoiceValue, planChoiceLabel } from '../../lib/planForm';
import { segment } from '../../lib/url';
import type { AccountPlan, AccountsShowProps, PageProps, PlanChoice } from '../../types';

function Mono({ value }: { value: string | number | null }) {
  return value === null ? <span className="text-slate-400">—</span> : <code className="font-mono text-sm">{value}</code>;
}

/** Move the account to another plan; a plan below what it uses is refused at the select. */
function MovePlan({ name, plan, plans, asAdmin }: { name: string; plan: AccountPlan; plans: PlanChoice[]; asAdmin: boolean }) {
  const current = choiceValue(plan);
  const form = useForm({ plan: current });
  const errors: Partial<Record<string, string>> = form.errors;
  const options = plans.map((choice) => ({ value: choiceValue(choice), label: planChoiceLabel(choice, asAdmin) }));
  // A reseller's account on a server plan: the plan stays shown though the reseller cannot give it.
  if (!options.some((option) => option.value === current)) {
    options.unshift({ value: current, label: `${plan.name} (current)` });
  }

  function submit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    // An admin names whose plan it is; a reseller's are its own.
    form.transform(({ plan: chosen }) => {
      const { name: planName, owner } = fromChoiceValue(chosen);
      return asAdmin && owner !== null ? { plan: planName, reseller: owner } : { plan: planName };
    });
    form.post(`/accounts/${segment(name)}/plan`, { preserveScroll: true });
  }

  return (
    <form onSubmit={submit} noValidate className="mt-5 flex flex-col gap-3 border-t border-slate-200 pt-5 sm:flex-row sm:items-start">
      <SelectField
        label="Move to plan"
        {...bindText(form, 'plan')}
        hint="Applies at once; refused when the account uses more than the plan allows."
        error={errors.plan ?? errors.reseller}
        options={options}
        className="sm:w-80"
      />
      <Button type="submit" variant="secondary" loading={form.processing} disabled={form.data.plan === current} className="sm:mt-7">
        Move
      </Button>
    </form>
  );
}

function PlanCard({ name, plan, plans, canManage, asAdmin }: { name: string; plan: AccountPlan; plans: PlanChoice[]; canManage: boolean; asAdmin: boolean }) {
  const details: Detail[] = [
    ['PHP versions', plan.php_versions.length > 0 ? plan.php_versions.join(', ') : 'every installed one'],
    [
      'PHP limits per site',
      `${plan.php.max_children} processes, ${plan.php.memory_limit_mb} MB memory, ${plan.php.max_execution_time} s, ${plan.php.upload_max_mb} MB uploads`,
    ],
    ['Shell access', plan.shell_access ? 'yes' : 'no'],
  ];
  return (
    <Card title={`Plan ${plan.name}`} description={plan.owner === null ? 'One of the server’s plans.' : `${plan.owner}’s plan.`}>
      <PlanUsage limits={plan.limits} />
      <div className="mt-5 border-t border-slate-200 pt-5">
        <DetailList rows={details} />
      </div>
      {canManage && plans.length > 0 && <MovePlan name={name} plan={plan} plans={plans} asAdmin={asAdmin} />}
    </Card>
  );
}

export default function Show({ account, plan, plans, auth }: PageProps<AccountsShowProps>) {
  const canManage = auth.user?.role === 'admin' || auth.user?.role === 'reseller';
  const asAdmin = auth.user?.role === 'admin';
  const rows: Detail[] = [
    ['Name', account.name],
    ['E-mail', account.email],
    ['State', <StateBadge key="state" state={account.state} />],
    ['Reseller', account.reseller ?? <span className="text-slate-400">—</span>],
    ['Created', formatDateTime(account.created_at)],
    ['Linux user id', <Mono key="uid" value={account.uid} />],
    ['Home directory', <Mono key="home" value={account.home} />],
    ['Login shell', <Mono key="shell" value={account.shell} />],
  ];

  return (
    <Layout
      title={account.name}
      description={account.email}
      back={{ href: '/accounts', label: 'Hosting accounts' }}
      actions={canManage ? <AccountActions account={account} /> : undefined}
    >
      <div className="space-y-6">
        <Card title="Account details" description="The panel's record and the Linux user behind it.">
          <DetailList rows={rows} />
          {account.uid === null && (
            <p className="mt-4 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 ring-1 ring-amber-600/20 ring-inset">
              The system reported no Linux user for this account.
            </p>
          )}
        </Card>
        <PlanCard name={account.name} plan={plan} plans={plans} canManage={canManage} asAdmin={asAdmin} />
      </div>
    </Layout>
  );
}
