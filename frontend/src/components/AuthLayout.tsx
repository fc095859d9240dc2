import { Head, usePage } from '@inertiajs/react';
import type { ReactNode } from 'react';
import Flash from './Flash';
import { BrandMark } from './Layout';

/** The frame of the sign-in pages: a centred card, no navigation. */
export default function AuthLayout({ title, subtitle, children }: { title: string; subtitle?: ReactNode; children: ReactNode }) {
  const { props } = usePage();
  return (
    <div className="flex min-h-screen flex-col items-center justify-center bg-slate-100 px-4 py-12">
      <Head title={title} />
      <div className="w-full max-w-sm">
        <div className="mb-8 flex flex-col items-center gap-3 text-center">
          <BrandMark className="size-11" />
          <p className="text-lg font-semibold tracking-tight text-slate-900">GetSuperCP</p>
        </div>
        <main className="rounded-xl bg-white p-6 shadow-sm ring-1 ring-slate-200 sm:p-8">
          <h1 className="text-xl font-semibold tracking-tight text-slate-900">{title}</h1>
          {subtitle !== undefined && <p className="mt-1 text-sm text-slate-500">{subtitle}</p>}
          <div className="mt-4 empty:hidden">
            <Flash flash={props.flash} />
          </div>
          <div className="mt-6">{children}</div>
        </main>
      </div>
    </div>
  );
}
