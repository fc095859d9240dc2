import type { NavItem, Role } from '../types';

/** Whether a nav item is the current section; "/" only matches itself. */
export function isActive(item: NavItem, url: string): boolean {
  const path = url.split(/[?#]/)[0] ?? '';
  if (item.href === '/') {
    return path === '/';
  }
  return path === item.href || path.startsWith(`${item.href}/`);
}

export const ROLE_LABELS: Record<Role, string> = { admin: 'Administrator', reseller: 'Reseller', customer: 'Customer' };
