import { Link, useForm } from '@inertiajs/react';
import type { FormEvent } from 'react';
import AuthLayout from '../../components/AuthLayout';
import Button from '../../components/Button';
import { FormAlert, FormField } from '../../components/FormField';
import { bindText } from '../../lib/form';
import type { AuthResetProps, PageProps } from '../../types';

const FIELDS = ['password'] as const;

export default function Reset({ valid }: PageProps<AuthResetProps>) {
  const form = useForm({ password: '' });

  function submit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    form.post(window.location.pathname, { onFinish: () => form.reset('password') });
  }

  if (!valid) {
    return (
      <AuthLayout title="This link does not work" subtitle="It has expired or was used already.">
        <p className="text-center text-sm">
          <Link href="/password/forgot" className="font-medium text-indigo-600 hover:text-indigo-500">
            Ask for a new link
          </Link>
        </p>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout title="Choose a new password" subtitle="At least 12 characters, not a common one.">
      <form onSubmit={submit} className="space-y-5" noValidate>
        <FormAlert errors={form.errors} fields={FIELDS} />
        <FormField
          label="New password"
          {...bindText(form, 'password')}
          type="password"
          autoComplete="new-password"
          autoFocus
          required
        />
        <Button type="submit" className="w-full" loading={form.processing}>
          Set the password
        </Button>
      </form>
    </AuthLayout>
  );
}
