import type { Plan, PlanChoice, PlanLimit, PlanPhpLimit } from '../types';
import { segment, withQuery } from './url';

/** Each numeric limit's label, in the order the plans' pages show them. */
export const LIMIT_LABELS: Record<PlanLimit, string> = {
  sites: 'Sites',
  aliases: 'Site aliases',
  dns_zones: 'DNS zones',
  databases: 'Databases',
  database_users: 'Database users',
  mail_domains: 'Mail domains',
  mailboxes: 'Mailboxes',
  mail_aliases: 'Mail aliases',
  ftp_users: 'FTP users',
  disk_mb: 'Disk space (MB)',
  bandwidth_gb: 'Bandwidth (GB)',
  mailbox_quota_default_mb: 'Default mailbox quota (MB)',
  mailbox_quota_max_mb: 'Largest mailbox quota (MB)',
};

export const PHP_LIMITS: { key: PlanPhpLimit; label: string; hint: string }[] = [
  { key: 'php_max_children', label: 'PHP processes per site at most', hint: '1 to 64' },
  { key: 'php_memory_limit_mb', label: 'Memory limit at most (MB)', hint: '16 to 4096' },
  { key: 'php_max_execution_time', label: 'Execution time limit at most (s)', hint: '1 to 3600' },
  { key: 'php_upload_max_mb', label: 'Upload size limit at most (MB)', hint: '1 to 4096' },
];

/** The label of a limit the server names ("dns_zones"); the name itself if it is unknown here. */
export function limitLabel(limit: string): string {
  return limit in LIMIT_LABELS ? LIMIT_LABELS[limit as PlanLimit] : limit;
}

/** A limit as a field shows it: empty for unlimited. */
export function limitText(value: number | null): string {
  return value === null ? '' : String(value);
}

/**
 * A limit's field for the server: empty is null (unlimited), digits are a number, anything
 * else is sent as typed so that the server names the field's error.
 */
export function limitValue(text: string): number | string | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  return /^\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/** "3 of 10", "3 of unlimited"; "up to 10" or "unlimited" while nothing counts it. */
export function usageText(allowed: number | null, used: number | null): string {
  const most = allowed === null ? 'unlimited' : String(allowed);
  if (used === null) return allowed === null ? 'unlimited' : `up to ${most}`;
  return `${used} of ${most}`;
}

/** The plan's form as edited: every number as typed. */
export type PlanDraft = { name: string } & Record<PlanLimit | PlanPhpLimit, string> & {
    php_versions: string[];
    shell_access: boolean;
    is_default: boolean;
  };

/** A new plan's draft: unlimited, with the PHP limits a new site gets. */
const NEW_PLAN: Omit<Plan, 'owner' | 'accounts'> = {
  name: '',
  sites: null,
  aliases: null,
  dns_zones: null,
  databases: null,
  database_users: null,
  mail_domains: null,
  mailboxes: null,
  mail_aliases: null,
  ftp_users: null,
  disk_mb: null,
  bandwidth_gb: null,
  mailbox_quota_default_mb: null,
  mailbox_quota_max_mb: null,
  php_versions: [],
  php_max_children: 5,
  php_memory_limit_mb: 256,
  php_max_execution_time: 30,
  php_upload_max_mb: 64,
  shell_access: false,
  is_default: false,
};

const LIMITS = Object.keys(LIMIT_LABELS) as PlanLimit[];

export function toDraft(plan: Plan | null): PlanDraft {
  const from = plan ?? NEW_PLAN;
  const limits = Object.fromEntries(LIMITS.map((key) => [key, limitText(from[key])])) as Record<PlanLimit, string>;
  const php = Object.fromEntries(PHP_LIMITS.map(({ key }) => [key, String(from[key])])) as Record<PlanPhpLimit, string>;
  return {
    name: from.name,
    ...limits,
    ...php,
    php_versions: [...from.php_versions],
    shell_access: from.shell_access,
    is_default: from.is_default,
  };
}

/** What the server takes: limits as numbers or null, anything else as typed. */
export function fromDraft(draft: PlanDraft, withDefault: boolean): Record<string, unknown> {
  const { is_default, ...rest } = draft;
  const numbers = [...LIMITS, ...PHP_LIMITS.map(({ key }) => key)];
  return {
    ...rest,
    name: rest.name.trim(),
    ...Object.fromEntries(numbers.map((key) => [key, limitValue(rest[key])])),
    ...(withDefault ? { is_default } : {}),
  };
}

/** The PHP versions to tick: the installed ones, and any the plan names that are not (any more). */
export function phpChoices(installed: string[] | null, chosen: string[]): string[] {
  const all = [...(installed ?? [])];
  for (const version of chosen) {
    if (!all.includes(version)) all.push(version);
  }
  return all;
}

/** A plan's form, where it is also changed and deleted: an admin names the reseller of a
 * reseller's plan (?reseller=); a reseller's own plans need no name. */
export function planUrl(plan: Pick<Plan, 'name' | 'owner'>, asAdmin: boolean): string {
  return withQuery(`/plans/${segment(plan.name)}/edit`, { reseller: asAdmin ? plan.owner : null });
}

/** A plan as a select's value: the same name may be the server's and a reseller's. */
export function choiceValue(plan: Pick<PlanChoice, 'name' | 'owner'>): string {
  // Neither a user name nor a plan's has a "/".
  return `${plan.owner ?? ''}/${plan.name}`;
}

export function fromChoiceValue(value: string): Pick<PlanChoice, 'name' | 'owner'> {
  const slash = value.indexOf('/');
  const owner = value.slice(0, slash);
  return { name: value.slice(slash + 1), owner: owner === '' ? null : owner };
}

/** "Basic", "Basic (default)"; an admin also sees whose it is: "Basic (rita)". */
export function planChoiceLabel(plan: PlanChoice, asAdmin: boolean): string {
  const notes = [plan.is_default ? 'default' : null, asAdmin && plan.owner !== null ? plan.owner : null].filter((n) => n !== null);
  return notes.length > 0 ? `${plan.name} (${notes.join(', ')})` : plan.name;
}
