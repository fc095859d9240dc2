import { describe, expect, it } from 'vitest';
import { isActive, NAV_ITEMS, navItemsFor } from './nav';

describe('navItemsFor', () => {
  it('shows resellers and the audit log to admins only', () => {
    const labels = (role: 'admin' | 'reseller' | 'customer') => navItemsFor(role).map((item) => item.label);
    expect(labels('admin')).toEqual(NAV_ITEMS.map((item) => item.label));
    expect(labels('reseller')).toEqual(['Dashboard', 'Hosting accounts', 'Sites', 'DNS', 'API tokens', 'Security']);
    expect(labels('customer')).toEqual(['Dashboard', 'Hosting accounts', 'Sites', 'DNS', 'API tokens', 'Security']);
  });
});

describe('isActive', () => {
  const dashboard = NAV_ITEMS[0]!;
  const accounts = NAV_ITEMS[1]!;

  it('matches a section and its sub-pages, ignoring the query', () => {
    expect(isActive(accounts, '/accounts?page=2')).toBe(true);
    expect(isActive(accounts, '/accounts/alice')).toBe(true);
    expect(isActive(accounts, '/accountsx')).toBe(false);
  });

  it('matches the DNS pages under /dns', () => {
    const dns = NAV_ITEMS.find((item) => item.href === '/dns')!;
    expect(isActive(dns, '/dns/zones/example.com')).toBe(true);
    expect(isActive(dns, '/dns/settings')).toBe(true);
    expect(isActive(dns, '/dnsx')).toBe(false);
  });

  it('matches the dashboard on / only', () => {
    expect(isActive(dashboard, '/')).toBe(true);
    expect(isActive(dashboard, '/accounts')).toBe(false);
  });
});
