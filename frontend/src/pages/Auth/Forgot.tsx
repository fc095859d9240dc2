import { Link, useForm } from '@inertiajs/react';
import type { FormEvent } from 'react';
import AuthLayout from '../../components/AuthLayout';
import Button from '../../components/Button';
import { FormAlert, FormField } from '../../components/FormField';
import { bindText } from '../../lib/form';
import type { PageProps } from '../../types';

const FIELDS = ['identifier'] as const;

export default function Forgot(_props: PageProps) {
  const form = useForm({ identifier: '' });

  function submit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    form.post('/password/forgot');
  }

  return (
    <AuthLayout title="Forgot your password?" subtitle="We will e-mail you a link to choose a new one.">
      <form onSubmit={submit} className="space-y-5" noValidate>
        <FormAlert errors={form.errors} fields={FIELDS} />
        <FormField
          label="User name or e-mail address"
          {...bindText(form, 'identifier')}
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          autoFocus
          required
        />
        <Button type="submit" className="w-full" loading={form.processing}>
          Send the link
        </Button>
        <p className="text-center text-sm">
          <Link href="/login" className="font-medium text-indigo-600 hover:text-indigo-500">
            Back to sign in
          </Link>
        </p>
      </form>
    </AuthLayout>
  );
}
