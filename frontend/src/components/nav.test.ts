import { describe, expect, it } from 'vitest';
import { isActive } from './nav';

describe('isActive', () => {
  const dashboard = { label: 'Dashboard', href: '/' };
  const accounts = { label: 'Hosting accounts', href: '/accounts' };

  it('matches a section and its sub-pages, ignoring the query', () => {
    expect(isActive(accounts, '/accounts?page=2')).toBe(true);
    expect(isActive(accounts, '/accounts/alice')).toBe(true);
    expect(isActive(accounts, '/accountsx')).toBe(false);
  });

  it('matches the DNS pages under /dns', () => {
    const dns = { label: 'DNS', href: '/dns' };
    expect(isActive(dns, '/dns/zones/example.com')).toBe(true);
    expect(isActive(dns, '/dns/settings')).toBe(true);
    expect(isActive(dns, '/dnsx')).toBe(false);
  });

  it('matches the dashboard on / only', () => {
    expect(isActive(dashboard, '/')).toBe(true);
    expect(isActive(dashboard, '/accounts')).toBe(false);
  });
});
