import { router, useForm } from '@inertiajs/react';
import { useState, type FormEvent } from 'react';
import Badge from '../../components/Badge';
import Button from '../../components/Button';
import Card from '../../components/Card';
import ConfirmButton from '../../components/ConfirmButton';
import CopyButton from '../../components/CopyButton';
import EmptyState from '../../components/EmptyState';
import FormCard from '../../components/FormCard';
import { CheckboxField, FormField } from '../../components/FormField';
import Layout from '../../components/Layout';
import Table from '../../components/Table';
import { bindCheck, bindText, resetAndClose } from '../../lib/form';
import { formatDate, formatDateTime } from '../../lib/format';
import { segment } from '../../lib/url';
import type { ApiToken, PageProps, TokensIndexProps } from '../../types';

const FIELDS = ['name', 'read_only', 'expires_days'] as const;

function NewToken({ token }: { token: string }) {
  return (
    <section
      aria-labelledby="new-token-title"
      className="rounded-xl bg-emerald-50 p-4 ring-1 ring-emerald-600/20 ring-inset sm:p-5"
    >
      <h2 id="new-token-title" className="text-sm font-semibold text-emerald-900">
        Your new API token
      </h2>
      <p className="mt-1 text-sm text-emerald-800">
        Copy it now and keep it somewhere safe: it is shown only this once and cannot be recovered.
      </p>
      <div className="mt-3 flex flex-col gap-2 sm:flex-row">
        <label htmlFor="new-token" className="sr-only">
          API token
        </label>
        <input
          id="new-token"
          readOnly
          value={token}
          onFocus={(event) => event.target.select()}
          className="block w-full min-w-0 rounded-md border-0 bg-white px-3 py-2 font-mono text-sm text-slate-900 shadow-sm ring-1 ring-emerald-600/30 ring-inset"
        />
        <CopyButton text={token} size="md" />
      </div>
    </section>
  );
}

function CreateToken({ onClose }: { onClose: () => void }) {
  const form = useForm({ name: '', read_only: false, expires_days: '' });

  function submit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    // No expiry is sent as no field at all.
    form.transform(({ expires_days, ...rest }) =>
      expires_days.trim() === '' ? rest : { ...rest, expires_days: Number(expires_days) },
    );
    form.post('/tokens', resetAndClose(form, onClose));
  }

  return (
    <FormCard
      title="New API token"
      description="A token acts with your rights on the REST API under /api/v1."
      onSubmit={submit}
      form={form}
      fields={FIELDS}
      submitLabel="Create token"
      onCancel={onClose}
    >
      <div className="grid grid-cols-1 gap-5 md:grid-cols-2">
        <FormField
          label="Name"
          {...bindText(form, 'name')}
          hint="What the token is for, e.g. “backup script”."
          autoComplete="off"
          required
        />
        <FormField
          label="Expires after (days)"
          {...bindText(form, 'expires_days')}
          type="number"
          inputMode="numeric"
          min={1}
          step={1}
          hint="Leave empty for a token that does not expire."
        />
      </div>
      <CheckboxField
        label="Read-only"
        {...bindCheck(form, 'read_only')}
        hint="The token can look at everything you can, and change nothing."
      />
    </FormCard>
  );
}

function AccessBadge({ readOnly }: { readOnly: boolean }) {
  return readOnly ? <Badge tone="blue">Read-only</Badge> : <Badge tone="indigo">Read and write</Badge>;
}

function tokenStatus(token: ApiToken, now: number): 'active' | 'revoked' | 'expired' {
  if (token.revoked) return 'revoked';
  if (token.expires_at !== null && new Date(token.expires_at).getTime() <= now) return 'expired';
  return 'active';
}

export default function Index({ tokens, new_token }: PageProps<TokensIndexProps>) {
  const [creating, setCreating] = useState(false);
  const now = Date.now();

  return (
    <Layout
      title="API tokens"
      description="Tokens for scripts and tools that use the REST API."
      actions={!creating ? <Button onClick={() => setCreating(true)}>New token</Button> : undefined}
    >
      <div className="space-y-6">
        {new_token !== null && <NewToken token={new_token} />}
        {creating && <CreateToken onClose={() => setCreating(false)} />}
        <Card flush>
          <Table<ApiToken>
            caption="API tokens"
            rows={tokens}
            rowKey={(token) => token.id}
            empty={
              <EmptyState
                title="No API tokens"
                description="Create one to use the REST API from scripts or super-cli on another machine."
              />
            }
            columns={[
              {
                key: 'name',
                header: 'Name',
                cell: (token) => (
                  <div className="min-w-0">
                    <div className={`font-medium ${token.revoked ? 'text-slate-400 line-through' : 'text-slate-900'}`}>
                      {token.name}
                    </div>
                    <code className="font-mono text-xs text-slate-400">{token.id}</code>
                    {/* Narrow screens have no access column. */}
                    <div className="mt-1 sm:hidden">
                      <AccessBadge readOnly={token.read_only} />
                    </div>
                  </div>
                ),
              },
              {
                key: 'access',
                header: 'Access',
                className: 'hidden sm:table-cell',
                cell: (token) => <AccessBadge readOnly={token.read_only} />,
              },
              {
                key: 'created',
                header: 'Created',
                className: 'hidden md:table-cell whitespace-nowrap',
                cell: (token) => formatDate(token.created_at),
              },
              {
                key: 'expires',
                header: 'Expires',
                className: 'hidden md:table-cell whitespace-nowrap',
                cell: (token) => (token.expires_at === null ? <span className="text-slate-400">Never</span> : formatDate(token.expires_at)),
              },
              {
                key: 'last_used',
                header: 'Last used',
                className: 'hidden lg:table-cell whitespace-nowrap',
                cell: (token) =>
                  token.last_used_at === null ? <span className="text-slate-400">Never</span> : formatDateTime(token.last_used_at),
              },
              {
                key: 'status',
                header: 'Status',
                cell: (token) => {
                  const status = tokenStatus(token, now);
                  if (status === 'revoked') return <Badge tone="slate">Revoked</Badge>;
                  if (status === 'expired') return <Badge tone="amber">Expired</Badge>;
                  return (
                    <Badge tone="green" dot>
                      Active
                    </Badge>
                  );
                },
              },
              {
                key: 'actions',
                header: <span className="sr-only">Actions</span>,
                align: 'right',
                cell: (token) =>
                  token.revoked ? null : (
                    <ConfirmButton
                      title={`Revoke “${token.name}”?`}
                      message="Scripts that use this token stop working at once. This cannot be undone."
                      confirmLabel="Revoke token"
                      aria-label={`Revoke ${token.name}`}
                      onConfirm={() => router.delete(`/tokens/${segment(token.id)}`, { preserveScroll: true })}
                    >
                      Revoke
                    </ConfirmButton>
                  ),
              },
            ]}
          />
        </Card>
      </div>
    </Layout>
  );
}
