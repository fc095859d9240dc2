import { describe, expect, it } from 'vitest';
import { fromDraft, limitLabel, limitValue, phpChoices, toDraft, usageText } from './planForm';

describe('limitValue', () => {
  it('is null (unlimited) when empty, a number for digits, and the text otherwise', () => {
    expect(limitValue(' ')).toBeNull();
    expect(limitValue(' 10 ')).toBe(10);
    expect(limitValue('ten')).toBe('ten');
    expect(limitValue('-1')).toBe('-1');
  });
});

describe('usageText', () => {
  it('says what is used of what is allowed', () => {
    expect(usageText(10, 3)).toBe('3 of 10');
    expect(usageText(null, 3)).toBe('3 of unlimited');
    expect(usageText(10, null)).toBe('up to 10');
    expect(usageText(null, null)).toBe('unlimited');
  });
});

describe('limitLabel', () => {
  it('names the known limits and keeps an unknown one as the server sent it', () => {
    expect(limitLabel('dns_zones')).toBe('DNS zones');
    expect(limitLabel('php_versions')).toBe('php_versions');
  });
});

describe('toDraft and fromDraft', () => {
  it('start a new plan unlimited with the usual PHP limits', () => {
    const draft = toDraft(null);
    expect(draft.sites).toBe('');
    expect(draft.php_max_children).toBe('5');
    expect(fromDraft(draft, false)).toMatchObject({ name: '', sites: null, php_max_children: 5, php_versions: [] });
    expect(fromDraft(draft, false)).not.toHaveProperty('is_default');
  });

  it('send blanks as unlimited, numbers as numbers, and the default only when asked', () => {
    const draft = { ...toDraft(null), name: ' Basic ', sites: '3', disk_mb: '1x', is_default: true };
    expect(fromDraft(draft, true)).toMatchObject({ name: 'Basic', sites: 3, disk_mb: '1x', dns_zones: null, is_default: true });
  });
});

describe('phpChoices', () => {
  it('offers the installed versions and keeps one the plan names that is gone', () => {
    expect(phpChoices(['8.3', '8.2'], ['8.2', '7.4'])).toEqual(['8.3', '8.2', '7.4']);
    expect(phpChoices(null, ['8.1'])).toEqual(['8.1']);
  });
});
