import { Link, useForm } from '@inertiajs/react';
import type { FormEvent } from 'react';
import AuthLayout from '../../components/AuthLayout';
import Button from '../../components/Button';
import { FormAlert, FormField } from '../../components/FormField';
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
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          autoFocus
          required
          value={form.data.username}
          onChange={(event) => form.setData('username', event.target.value)}
          error={form.errors.username}
        />
        <FormField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={form.data.password}
          onChange={(event) => form.setData('password', event.target.value)}
          error={form.errors.password}
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
