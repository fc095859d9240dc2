import './app.css';
import { createInertiaApp, type ResolvedComponent } from '@inertiajs/react';
import { createRoot } from 'react-dom/client';

// All pages go into the one bundle: together they are a small part of it
// (React and Inertia are most of it), and one file means no request
// waterfall on the first visit and a one-entry manifest for django-vite.
const pages = import.meta.glob<{ default: ResolvedComponent }>('./pages/**/*.tsx', { eager: true });

void createInertiaApp({
  title: (title) => (title ? `${title} · GetSuperCP` : 'GetSuperCP'),
  resolve: (name) => {
    const page = pages[`./pages/${name}.tsx`];
    if (page === undefined) {
      throw new Error(`No page component named ${name}`);
    }
    return page.default;
  },
  setup({ el, App, props }) {
    createRoot(el).render(<App {...props} />);
  },
  // Django's CSRF cookie and header, renamed in settings to these (Inertia's
  // defaults, spelled out so the contract is visible here): every request
  // Inertia sends carries the cookie's value in X-XSRF-TOKEN.
  http: { xsrfCookieName: 'XSRF-TOKEN', xsrfHeaderName: 'X-XSRF-TOKEN' },
  progress: { color: '#6366f1', delay: 250 },
});
