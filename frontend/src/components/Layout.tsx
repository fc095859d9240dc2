import { Head, Link, router, usePage } from '@inertiajs/react';
import { useState, type ReactNode } from 'react';
import type { User } from '../types';
import Flash from './Flash';
import { isActive, ROLE_LABELS } from './nav';

export function BrandMark({ className = 'size-7' }: { className?: string }) {
  return (
    <svg className={className} viewBox="0 0 32 32" aria-hidden="true">
      <rect width="32" height="32" rx="8" className="fill-indigo-500" />
      <path
        d="M21.5 11.2c-1-1.5-2.9-2.4-5.3-2.4-3.3 0-5.6 1.7-5.6 4.2 0 2.4 1.8 3.4 5 4l1.3.3c1.9.4 2.6.9 2.6 1.8 0 1.1-1.2 1.8-3.1 1.8-1.9 0-3.3-.8-3.9-2.1l-2.5 1.3c1 2.1 3.3 3.3 6.3 3.3 3.6 0 6-1.7 6-4.5 0-2.3-1.5-3.5-5-4.2l-1.3-.3c-1.8-.4-2.4-.8-2.4-1.6 0-1 1-1.6 2.6-1.6 1.5 0 2.6.6 3.2 1.6l2.1-1.6z"
        className="fill-white"
      />
    </svg>
  );
}

function LogoutButton({ className }: { className: string }) {
  return (
    <button type="button" className={className} onClick={() => router.post('/logout')}>
      Log out
    </button>
  );
}

function UserBadge({ user }: { user: User }) {
  return (
    <div className="min-w-0 text-right leading-tight">
      <div className="truncate text-sm font-medium text-white">{user.username}</div>
      <div className="text-xs text-slate-400">{ROLE_LABELS[user.role]}</div>
    </div>
  );
}

export interface LayoutProps {
  /** The page's heading and document title. */
  title: string;
  /** The heading when it needs more than text (a HostName); title stays the document title. */
  heading?: ReactNode;
  description?: ReactNode;
  /** Buttons at the right of the heading. */
  actions?: ReactNode;
  /** A link above the heading, back to the list a detail page belongs to. */
  back?: { href: string; label: string };
  children: ReactNode;
}

/** The frame of every signed-in page: top bar, navigation, flash messages, heading. */
export default function Layout({ title, heading, description, actions, back, children }: LayoutProps) {
  const { props, url } = usePage();
  const user = props.auth.user;
  const items = props.nav;
  const [menuOpen, setMenuOpen] = useState(false);

  return (
    <div className="min-h-screen">
      <Head title={title} />
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-sm"
      >
        Skip to content
      </a>
      <header className="bg-slate-900">
        <div className="mx-auto flex h-14 max-w-7xl items-center gap-6 px-4 sm:px-6 lg:px-8">
          <Link href="/" className="flex shrink-0 items-center gap-2.5 text-white">
            <BrandMark />
            <span className="text-base font-semibold tracking-tight">GetSuperCP</span>
          </Link>
          <nav aria-label="Main" className="hidden lg:block">
            <ul className="flex items-center gap-1">
              {items.map((item) => {
                const active = isActive(item, url);
                return (
                  <li key={item.href}>
                    <Link
                      href={item.href}
                      aria-current={active ? 'page' : undefined}
                      className={`rounded-md px-3 py-2 text-sm font-medium whitespace-nowrap transition-colors ${
                        active ? 'bg-slate-800 text-white' : 'text-slate-300 hover:bg-slate-800/60 hover:text-white'
                      }`}
                    >
                      {item.label}
                    </Link>
                  </li>
                );
              })}
            </ul>
          </nav>
          {user && (
            <div className="ml-auto hidden items-center gap-4 lg:flex">
              <UserBadge user={user} />
              <LogoutButton className="rounded-md px-3 py-1.5 text-sm font-medium text-slate-300 ring-1 ring-slate-700 hover:bg-slate-800 hover:text-white" />
            </div>
          )}
          <button
            type="button"
            className="ml-auto rounded-md p-2 text-slate-300 hover:bg-slate-800 hover:text-white lg:hidden"
            aria-expanded={menuOpen}
            aria-controls="mobile-nav"
            onClick={() => setMenuOpen((open) => !open)}
          >
            <span className="sr-only">{menuOpen ? 'Close menu' : 'Open menu'}</span>
            <svg className="size-6" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.5" aria-hidden="true">
              {menuOpen ? (
                <path strokeLinecap="round" strokeLinejoin="round" d="M6 18L18 6M6 6l12 12" />
              ) : (
                <path strokeLinecap="round" strokeLinejoin="round" d="M3.75 6.75h16.5M3.75 12h16.5m-16.5 5.25h16.5" />
              )}
            </svg>
          </button>
        </div>
        {menuOpen && (
          <div id="mobile-nav" className="border-t border-slate-800 lg:hidden">
            <nav aria-label="Main" className="space-y-1 px-4 py-3">
              {items.map((item) => {
                const active = isActive(item, url);
                return (
                  <Link
                    key={item.href}
                    href={item.href}
                    aria-current={active ? 'page' : undefined}
                    className={`block rounded-md px-3 py-2 text-base font-medium ${
                      active ? 'bg-slate-800 text-white' : 'text-slate-300 hover:bg-slate-800 hover:text-white'
                    }`}
                  >
                    {item.label}
                  </Link>
                );
              })}
            </nav>
            {user && (
              <div className="flex items-center justify-between gap-4 border-t border-slate-800 px-7 py-3">
                <div className="min-w-0">
                  <div className="truncate text-sm font-medium text-white">{user.username}</div>
                  <div className="text-xs text-slate-400">{ROLE_LABELS[user.role]}</div>
                </div>
                <LogoutButton className="rounded-md px-3 py-1.5 text-sm font-medium text-slate-300 ring-1 ring-slate-700 hover:bg-slate-800 hover:text-white" />
              </div>
            )}
          </div>
        )}
      </header>

      <main id="main" className="mx-auto max-w-7xl px-4 py-6 sm:px-6 lg:px-8 lg:py-8">
        {back && (
          <Link href={back.href} className="mb-2 inline-flex items-center gap-1 text-sm text-slate-500 hover:text-slate-800">
            <span aria-hidden="true">←</span> {back.label}
          </Link>
        )}
        <div className="mb-6 flex flex-wrap items-end justify-between gap-4">
          <div className="min-w-0">
            <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{heading ?? title}</h1>
            {description !== undefined && <p className="mt-1 text-sm text-slate-500">{description}</p>}
          </div>
          {actions !== undefined && <div className="flex flex-wrap items-center gap-2">{actions}</div>}
        </div>
        <div className="mb-6 empty:hidden">
          <Flash flash={props.flash} />
        </div>
        {children}
      </main>
    </div>
  );
}
