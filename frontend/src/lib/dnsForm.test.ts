import { describe, expect, it } from 'vitest';
import { entryError, entryErrorKeys, fromDrafts, toDrafts, ttlLabel, ttlValue } from './dnsForm';

describe('ttlValue', () => {
  it('is null when empty, a number for digits, and the text otherwise', () => {
    expect(ttlValue('  ')).toBeNull();
    expect(ttlValue(' 300 ')).toBe(300);
    expect(ttlValue('5m')).toBe('5m');
    expect(ttlValue('-1')).toBe('-1');
  });
});

describe('ttlLabel', () => {
  it('uses the largest whole unit', () => {
    expect(ttlLabel(86400)).toBe('1 d');
    expect(ttlLabel(3600)).toBe('1 h');
    expect(ttlLabel(300)).toBe('5 min');
    expect(ttlLabel(90)).toBe('90 s');
  });
});

describe('entryError', () => {
  const errors = { 'records.1.content': 'not an address', 'records.2': 'a record has name, type, content and ttl', name: 'taken' };

  it('finds the field of an entry, else the entry', () => {
    expect(entryError(errors, 'records', 1, 'content')).toBe('not an address');
    expect(entryError(errors, 'records', 1, 'name')).toBeUndefined();
    expect(entryError(errors, 'records', 2, 'ttl')).toBe('a record has name, type, content and ttl');
  });

  it('lists the keys that belong to entries', () => {
    expect(entryErrorKeys(errors, 'records')).toEqual(['records.1.content', 'records.2']);
  });
});

describe('drafts', () => {
  it('round-trip a template, TTLs as text while edited', () => {
    const records = [
      { name: '@', type: 'A', content: '{ipv4}', ttl: null },
      { name: 'www', type: 'CNAME', content: '{zone}', ttl: 300 },
    ];
    const drafts = toDrafts(records);
    expect(drafts[1]?.ttl).toBe('300');
    expect(fromDrafts(drafts)).toEqual(records);
  });
});
