import { Link, useForm } from '@inertiajs/react';
import type { FormEvent } from 'react';
import AuthLayout from '../../components/AuthLayout';
import Button from '../../components/Button';
import { FormAlert, FormField } from '../../components/FormField';
import { bindText } from '../../lib/form';
import type { PageProps } from '../../types';

const FIELDS = ['username', 'password'] as const;

export default function Login(_props: PageProps) {
  const form = useForm({ username: '', password: '' });

  function submit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    form.post('/login', { onFinish: () => form.reset('password') });
  }

  return (
    <AuthLayout title="Sign in" subtitle="Use your panel account.">
      <form onSubmit={submit} className="space-y-5" noValidate>
        <FormAlert errors={form.errors} fields={FIELDS} />
        <FormField
          label="Username"
          {...bindText(form, 'username')}
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          autoFocus
          required
        />
        <FormField
          label="Password"
          {...bindText(form, 'password')}
          type="password"
          autoComplete="current-password"
          required
        />
        <Button type="submit" className="w-full" loading={form.processing}>
          Sign in
        </Button>
        <p className="text-center text-sm">
          <Link href="/password/forgot" className="font-medium text-indigo-600 hover:text-indigo-500">
            Forgot your password?
          </Link>
        </p>
      </form>
    </AuthLayout>
  );
}
