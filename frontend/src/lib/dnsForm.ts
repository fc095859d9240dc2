import type { TemplateRecord } from '../types';

/**
 * A TTL field's value for the server: empty is null (the default TTL), digits are a
 * number, anything else is sent as typed so that the server names the field's error.
 */
export function ttlValue(text: string): number | string | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  return /^\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/** A TTL as a field shows it: empty for the default. */
export function ttlText(ttl: number | null): string {
  return ttl === null ? '' : String(ttl);
}

/** "3600" → "1 h"; seconds that are not whole minutes, hours or days stay seconds. */
export function ttlLabel(seconds: number): string {
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['min', 60],
  ] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size} ${unit}`;
  }
  return `${seconds} s`;
}

export type EntryField = keyof TemplateRecord;

/** The error of one field of a list entry ("records.2.content"), else of the whole entry ("records.2"). */
export function entryError(
  errors: Partial<Record<string, string>>,
  list: string,
  index: number,
  field: EntryField,
): string | undefined {
  return errors[`${list}.${index}.${field}`] ?? errors[`${list}.${index}`];
}

/** Errors that name a list entry, for the form's alert to leave out (the entries show them). */
export function entryErrorKeys(errors: Partial<Record<string, string>>, list: string): string[] {
  return Object.keys(errors).filter((key) => key.startsWith(`${list}.`));
}

/** A template entry as edited: the TTL as typed. */
export interface EntryDraft {
  name: string;
  type: string;
  content: string;
  ttl: string;
}

export function toDrafts(records: TemplateRecord[]): EntryDraft[] {
  return records.map((r) => ({ name: r.name, type: r.type, content: r.content, ttl: ttlText(r.ttl ?? null) }));
}

/** What the server takes: the TTL as a number or null (or as typed, to be refused at its field). */
export function fromDrafts(drafts: EntryDraft[]): { name: string; type: string; content: string; ttl: number | string | null }[] {
  return drafts.map((d) => ({ name: d.name.trim(), type: d.type, content: d.content.trim(), ttl: ttlValue(d.ttl) }));
}

/** Placeholders a template may use, with what they stand for. */
export const PLACEHOLDERS: readonly [string, string][] = [
  ['{zone}', 'the zone’s name'],
  ['{ipv4}', 'the server’s IPv4 address (records using it are left out when none is set)'],
  ['{ipv6}', 'the server’s IPv6 address (likewise)'],
  ['{ns}', 'each name server in turn'],
];
