import type { PhpChoices } from '../types';

/** The PHP select's options: "none (static)" first, then the installed versions, the one a new
 * site gets when nothing is chosen (the API's and super-cli's default) marked as the default. */
export function phpOptions(php: PhpChoices, current: string | null = null): { value: string; label: string }[] {
  const versions = php?.versions ?? [];
  // A site may use a version that has since been removed: keep it selectable as it is.
  const all = current !== null && !versions.includes(current) ? [current, ...versions] : versions;
  const label = (v: string): string => (v === php?.default ? `PHP ${v} (default)` : `PHP ${v}`);
  return [{ value: '', label: 'None (static site)' }, ...all.map((v) => ({ value: v, label: label(v) }))];
}

/** Aliases typed one per line (or separated by spaces or commas). */
export function parseAliases(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((name) => name.trim())
    .filter((name) => name !== '');
}

/** The error of a list field ("aliases") or of one of its items ("aliases.2"). */
export function fieldError(errors: Partial<Record<string, string>>, field: string): string | undefined {
  if (errors[field]) return errors[field];
  const item = Object.keys(errors).find((key) => key.startsWith(`${field}.`));
  return item === undefined ? undefined : errors[item];
}
