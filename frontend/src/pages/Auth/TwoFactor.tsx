import { router, useForm } from '@inertiajs/react';
import type { FormEvent } from 'react';
import AuthLayout from '../../components/AuthLayout';
import Button from '../../components/Button';
import { FormAlert, FormField } from '../../components/FormField';
import { bindText } from '../../lib/form';
import type { PageProps } from '../../types';

export default function TwoFactor(_props: PageProps) {
  const form = useForm({ code: '' });

  function submit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    // Spaces from grouped authenticator displays ("123 456") are not part of the code.
    form.transform((data) => ({ code: data.code.replace(/\s+/g, '') }));
    form.post('/login/2fa', { onFinish: () => form.reset('code') });
  }

  return (
    <AuthLayout
      title="Two-factor authentication"
      subtitle="Enter the 6-digit code from your authenticator app, or one of your recovery codes."
    >
      <form onSubmit={submit} className="space-y-5" noValidate>
        <FormAlert errors={form.errors} fields={['code']} />
        <FormField
          label="Authentication code"
          {...bindText(form, 'code')}
          autoComplete="one-time-code"
          autoCapitalize="none"
          spellCheck={false}
          autoFocus
          required
          maxLength={32}
          placeholder="123456 or xxxx-xxxx"
          className="[&_input]:font-mono [&_input]:tracking-widest"
        />
        <Button type="submit" className="w-full" loading={form.processing}>
          Verify
        </Button>
        <p className="text-center text-sm text-slate-500">
          Not you?{' '}
          <button
            type="button"
            className="font-medium text-indigo-600 hover:text-indigo-500"
            onClick={() => router.post('/logout')}
          >
            Sign in as someone else
          </button>
        </p>
      </form>
    </AuthLayout>
  );
}
