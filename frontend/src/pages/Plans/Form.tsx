import { router, useForm } from '@inertiajs/react';
import type { FormEvent, ReactNode } from 'react';
import FormCard from '../../components/FormCard';
import { CheckboxField, FormField } from '../../components/FormField';
import Layout from '../../components/Layout';
import { bindCheck, bindText, NAME_INPUT } from '../../lib/form';
import { fromDraft, LIMIT_LABELS, PHP_LIMITS, phpChoices, planUrl, toDraft, type PlanDraft } from '../../lib/planForm';
import { fieldError } from '../../lib/siteForm';
import type { PageProps, Plan, PlanLimit, PlansFormProps } from '../../types';

// The limits by the part of hosting they belong to.
const SECTIONS: { title: string; limits: PlanLimit[] }[] = [
  { title: 'Web and DNS', limits: ['sites', 'aliases', 'dns_zones'] },
  { title: 'Disk and traffic', limits: ['disk_mb', 'bandwidth_gb'] },
  { title: 'Databases', limits: ['databases', 'database_users'] },
  { title: 'Mail', limits: ['mail_domains', 'mailboxes', 'mail_aliases', 'mailbox_quota_default_mb', 'mailbox_quota_max_mb'] },
  { title: 'FTP', limits: ['ftp_users'] },
];
const FIELDS = [
  'name',
  'is_default',
  ...SECTIONS.flatMap((section) => section.limits),
  'php_versions',
  ...PHP_LIMITS.map(({ key }) => key),
  'shell_access',
];

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <fieldset className="space-y-4 border-t border-slate-200 pt-5 first:border-t-0 first:pt-0">
      <legend className="float-left mb-4 w-full text-sm font-semibold text-slate-900">{title}</legend>
      <div className="clear-both grid grid-cols-1 gap-5 md:grid-cols-2 lg:grid-cols-3">{children}</div>
    </fieldset>
  );
}

function PhpVersions({
  installed,
  form,
  totals,
  error,
}: {
  installed: string[] | null;
  form: { data: PlanDraft; setData: (key: 'php_versions', value: string[]) => void };
  totals: Plan | null;
  error: string | undefined;
}) {
  const chosen = form.data.php_versions;
  const choices = phpChoices(installed, chosen);

  function toggle(version: string, on: boolean): void {
    form.setData('php_versions', on ? [...chosen, version] : chosen.filter((v) => v !== version));
  }

  return (
    <div className="md:col-span-2 lg:col-span-3">
      <p className="block text-sm font-medium text-slate-700" id="php-versions-label">
        PHP versions
      </p>
      <div role="group" aria-labelledby="php-versions-label" className="mt-2 flex flex-wrap gap-x-6 gap-y-2">
        {choices.map((version) => (
          <CheckboxField
            key={version}
            label={`PHP ${version}${installed !== null && !installed.includes(version) ? ' (not installed)' : ''}`}
            name="php_versions"
            value={version}
            checked={chosen.includes(version)}
            onChange={(event) => toggle(version, event.target.checked)}
          />
        ))}
        {choices.length === 0 && <span className="text-sm text-slate-500">No PHP version is installed.</span>}
      </div>
      {error ? (
        <p className="mt-1.5 text-xs font-medium text-red-600">{error}</p>
      ) : (
        <p className="mt-1.5 text-xs text-slate-500">
          None ticked: every installed version.
          {totals !== null && totals.php_versions.length > 0 && ` The totals offer PHP ${totals.php_versions.join(', ')}.`}
          {installed === null && ' The installed versions could not be read just now.'}
        </p>
      )}
    </div>
  );
}

export default function Form({ plan, php_versions, totals, auth }: PageProps<PlansFormProps>) {
  const asAdmin = auth.user?.role === 'admin';
  const isNew = plan === null;
  const form = useForm<PlanDraft>(toDraft(plan));
  const errors: Partial<Record<string, string>> = form.errors;
  // Whose totals the hints speak of: the acting reseller's, or (for an admin) the plan's reseller's.
  const whose = asAdmin ? `${plan?.owner ?? 'The reseller'}’s totals` : 'Your totals';

  function hint(key: PlanLimit): string {
    const most = totals?.[key] ?? null;
    return most === null ? 'Blank: unlimited.' : `${whose} allow at most ${most}.`;
  }

  function submit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    form.transform((data) => fromDraft(data, asAdmin && (plan === null || plan.owner === null)));
    form.post(isNew ? '/plans/new' : planUrl(plan, asAdmin), { preserveScroll: true });
  }

  const title = isNew ? 'New plan' : `Plan ${plan.name}`;
  const owner = plan?.owner ?? null;
  return (
    <Layout
      title={title}
      description={
        isNew
          ? 'Limits for the accounts you give it; a change later applies to them at once.'
          : `${owner === null ? 'A server plan' : `${owner}’s plan`} · ${plan.accounts} ${plan.accounts === 1 ? 'account' : 'accounts'} on it`
      }
      back={{ href: '/plans', label: 'Plans' }}
    >
      <FormCard
        title="Limits"
        description="Leave a limit blank for unlimited. A change below what an account on the plan already uses is refused."
        onSubmit={submit}
        form={form}
        fields={[...FIELDS, ...Object.keys(errors).filter((key) => key.startsWith('php_versions.'))]}
        submitLabel={isNew ? 'Create plan' : 'Save plan'}
        onCancel={() => router.visit('/plans')}
      >
        <Section title="Plan">
          <FormField label="Name" {...bindText(form, 'name')} hint="Letters, digits, spaces, dots, dashes and underscores." {...NAME_INPUT} required />
          {asAdmin && (plan === null || (!plan.is_default && plan.owner === null)) && (
            <CheckboxField
              label="The default plan"
              {...bindCheck(form, 'is_default')}
              hint="New accounts that name no plan get it."
              className="md:pt-7"
            />
          )}
          {!isNew && plan.is_default && (
            <p className="text-sm text-slate-600 md:pt-7">The server’s default plan: new accounts that name no plan get it.</p>
          )}
        </Section>
        {SECTIONS.map((section) => (
          <Section key={section.title} title={section.title}>
            {section.limits.map((key) => (
              <FormField
                key={key}
                label={LIMIT_LABELS[key]}
                {...bindText(form, key)}
                inputMode="numeric"
                autoComplete="off"
                placeholder="unlimited"
                hint={hint(key)}
              />
            ))}
          </Section>
        ))}
        <Section title="PHP and shell">
          <PhpVersions installed={php_versions} form={form} totals={totals} error={fieldError(errors, 'php_versions')} />
          {PHP_LIMITS.map(({ key, label, hint: range }) => (
            <FormField
              key={key}
              label={label}
              {...bindText(form, key)}
              inputMode="numeric"
              autoComplete="off"
              hint={totals !== null ? `${range}; ${whose.toLowerCase()} allow ${totals[key]}.` : range}
            />
          ))}
          <CheckboxField
            label="Shell access"
            {...bindCheck(form, 'shell_access')}
            hint={
              totals !== null && !totals.shell_access
                ? `${whose} give no shell access.`
                : 'A login shell, and with it SFTP, for the accounts’ Linux users.'
            }
          />
        </Section>
      </FormCard>
    </Layout>
  );
}
