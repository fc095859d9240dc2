import type { Role } from '../types';

export interface NavItem {
  label: string;
  href: string;
  /** Roles that see the item; the server refuses the page to the others anyway. */
  roles: readonly Role[];
}

const ALL: readonly Role[] = ['admin', 'reseller', 'customer'];

export const NAV_ITEMS: readonly NavItem[] = [
  { label: 'Dashboard', href: '/', roles: ALL },
  { label: 'Hosting accounts', href: '/accounts', roles: ALL },
  { label: 'Sites', href: '/sites', roles: ALL },
  { label: 'DNS', href: '/dns', roles: ALL },
  { label: 'Resellers', href: '/resellers', roles: ['admin'] },
  { label: 'API tokens', href: '/tokens', roles: ALL },
  { label: 'Audit log', href: '/audit', roles: ['admin'] },
  { label: 'Security', href: '/profile', roles: ALL },
];

export function navItemsFor(role: Role): NavItem[] {
  return NAV_ITEMS.filter((item) => item.roles.includes(role));
}

/** Whether a nav item is the current section; "/" only matches itself. */
export function isActive(item: NavItem, url: string): boolean {
  const path = url.split(/[?#]/)[0] ?? '';
  if (item.href === '/') {
    return path === '/';
  }
  return path === item.href || path.startsWith(`${item.href}/`);
}

export const ROLE_LABELS: Record<Role, string> = { admin: 'Administrator', reseller: 'Reseller', customer: 'Customer' };
