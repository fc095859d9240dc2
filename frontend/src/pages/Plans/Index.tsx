import { Link, router, useForm } from '@inertiajs/react';
import type { FormEvent } from 'react';
import Badge from '../../components/Badge';
import { buttonClasses } from '../../components/Button';
import Card from '../../components/Card';
import ConfirmButton from '../../components/ConfirmButton';
import DetailList, { type Detail } from '../../components/DetailList';
import EmptyState from '../../components/EmptyState';
import FormCard from '../../components/FormCard';
import { SelectField } from '../../components/FormField';
import Layout from '../../components/Layout';
import { ActionRow, useActionRequest } from '../../components/ObjectActions';
import Table, { type Column } from '../../components/Table';
import { bindText } from '../../lib/form';
import { LIMIT_LABELS, planUrl, usageText } from '../../lib/planForm';
import type { PageProps, Plan, PlanLimit, PlansIndexProps } from '../../types';

// The limits the list shows; the form has them all.
const KEY_LIMITS: PlanLimit[] = ['sites', 'dns_zones', 'databases', 'mailboxes', 'disk_mb'];

function Limit({ value }: { value: number | null }) {
  return value === null ? <span className="text-slate-400">unlimited</span> : <span className="tabular-nums">{value}</span>;
}

function PlanActions({ plan, asAdmin }: { plan: Plan; asAdmin: boolean }) {
  const { busy, options } = useActionRequest();
  return (
    <ActionRow inTable>
      <Link href={planUrl(plan, asAdmin)} className={buttonClasses('secondary', 'sm')} aria-label={`Edit plan ${plan.name}`}>
        Edit
      </Link>
      {!plan.is_default && (
        <ConfirmButton
          title={`Delete the plan ${plan.name}?`}
          message={
            plan.accounts > 0
              ? 'Accounts are on it: move them to another plan first.'
              : 'Its limits are gone for good; no account uses it.'
          }
          confirmLabel="Delete plan"
          loading={busy}
          aria-label={`Delete plan ${plan.name}`}
          onConfirm={() => router.delete(planUrl(plan, asAdmin), options)}
        >
          Delete
        </ConfirmButton>
      )}
    </ActionRow>
  );
}

function Totals({ totals }: { totals: Plan }) {
  const rows: Detail[] = [
    ...(Object.keys(LIMIT_LABELS) as PlanLimit[]).map((key): Detail => [LIMIT_LABELS[key], usageText(totals[key], null)]),
    ['PHP versions', totals.php_versions.length > 0 ? totals.php_versions.join(', ') : 'every installed one'],
    ['Shell access', totals.shell_access ? 'yes' : 'no'],
  ];
  return (
    <Card
      title={`Your totals: ${totals.name}`}
      description="What all your accounts share together; none of your plans may promise more."
    >
      <DetailList rows={rows} />
    </Card>
  );
}

function ResellerTotals({ resellers, plans }: { resellers: PlansIndexProps['resellers']; plans: Plan[] }) {
  const form = useForm({ reseller: resellers[0]?.username ?? '', plan: '' });
  const server = plans.filter((plan) => plan.owner === null);

  function submit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    form.post('/plans/totals', { preserveScroll: true });
  }

  return (
    <FormCard
      title="Resellers’ totals"
      description="A server plan whose limits all of a reseller’s accounts share; none of its own plans may promise more."
      onSubmit={submit}
      form={form}
      fields={['reseller', 'plan']}
      submitLabel="Save totals"
    >
      <ul className="space-y-1 text-sm text-slate-700">
        {resellers.map((reseller) => (
          <li key={reseller.username}>
            <span className="font-medium text-slate-900">{reseller.username}</span>:{' '}
            {reseller.totals ?? <span className="text-slate-400">no totals</span>}
          </li>
        ))}
      </ul>
      <div className="grid grid-cols-1 gap-5 md:grid-cols-2">
        <SelectField
          label="Reseller"
          {...bindText(form, 'reseller')}
          options={resellers.map((reseller) => ({ value: reseller.username, label: reseller.username }))}
        />
        <SelectField
          label="Totals"
          {...bindText(form, 'plan')}
          options={[{ value: '', label: 'None (no limit)' }, ...server.map((plan) => ({ value: plan.name, label: plan.name }))]}
        />
      </div>
    </FormCard>
  );
}

export default function Index({ plans, totals, resellers, auth }: PageProps<PlansIndexProps>) {
  const asAdmin = auth.user?.role === 'admin';
  const newPlan = (
    <Link href="/plans/new" className={buttonClasses()}>
      New plan
    </Link>
  );

  const columns: Column<Plan>[] = [
    {
      key: 'name',
      header: 'Plan',
      cell: (plan) => (
        <span className="flex items-center gap-2">
          <Link href={planUrl(plan, asAdmin)} className="font-medium text-slate-900 hover:text-indigo-600">
            {plan.name}
          </Link>
          {plan.is_default && <Badge tone="indigo">default</Badge>}
        </span>
      ),
    },
    ...(asAdmin
      ? [
          {
            key: 'owner',
            header: 'Owner',
            className: 'hidden sm:table-cell',
            cell: (plan: Plan) => plan.owner ?? <span className="text-slate-500">Server</span>,
          },
        ]
      : []),
    { key: 'accounts', header: 'Accounts', align: 'right', cell: (plan) => <span className="tabular-nums">{plan.accounts}</span> },
    ...KEY_LIMITS.map(
      (key): Column<Plan> => ({
        key,
        header: LIMIT_LABELS[key],
        align: 'right',
        className: 'hidden md:table-cell',
        cell: (plan) => <Limit value={plan[key]} />,
      }),
    ),
    {
      key: 'actions',
      header: <span className="sr-only">Actions</span>,
      align: 'right',
      cell: (plan) => <PlanActions plan={plan} asAdmin={asAdmin} />,
    },
  ];

  return (
    <Layout
      title="Plans"
      description="The limits of hosting accounts: every account is on one plan, and a change applies at once."
      actions={newPlan}
    >
      <div className="space-y-6">
        <Card flush>
          <Table<Plan>
            caption="Hosting plans"
            rows={plans}
            rowKey={(plan) => `${plan.owner ?? ''}/${plan.name}`}
            columns={columns}
            empty={
              <EmptyState
                title="No plans yet"
                description="A plan bundles the limits of the accounts you give it: sites, zones, disk space and more."
                action={newPlan}
              />
            }
          />
        </Card>
        {totals !== null && <Totals totals={totals} />}
        {asAdmin && resellers.length > 0 && <ResellerTotals resellers={resellers} plans={plans} />}
      </div>
    </Layout>
  );
}
