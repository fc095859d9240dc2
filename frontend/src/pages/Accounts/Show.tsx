import AccountActions from '../../components/AccountActions';
import StateBadge from '../../components/StateBadge';
import Card from '../../components/Card';
import DetailList, { type Detail } from '../../components/DetailList';
import Layout from '../../components/Layout';
import { formatDateTime } from '../../lib/format';
import type { AccountsShowProps, PageProps } from '../../types';

function Mono({ value }: { value: string | number | null }) {
  return value === null ? <span className="text-slate-400">—</span> : <code className="font-mono text-sm">{value}</code>;
}

export default function Show({ account, auth }: PageProps<AccountsShowProps>) {
  const canManage = auth.user?.role === 'admin' || auth.user?.role === 'reseller';
  const rows: Detail[] = [
    ['Name', account.name],
    ['E-mail', account.email],
    ['State', <StateBadge key="state" state={account.state} />],
    ['Reseller', account.reseller ?? <span className="text-slate-400">—</span>],
    ['Created', formatDateTime(account.created_at)],
    ['Linux user id', <Mono key="uid" value={account.uid} />],
    ['Home directory', <Mono key="home" value={account.home} />],
    ['Login shell', <Mono key="shell" value={account.shell} />],
  ];

  return (
    <Layout
      title={account.name}
      description={account.email}
      back={{ href: '/accounts', label: 'Hosting accounts' }}
      actions={canManage ? <AccountActions account={account} /> : undefined}
    >
      <Card title="Account details" description="The panel's record and the Linux user behind it.">
        <DetailList rows={rows} />
        {account.uid === null && (
          <p className="mt-4 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 ring-1 ring-amber-600/20 ring-inset">
            The system reported no Linux user for this account.
          </p>
        )}
      </Card>
    </Layout>
  );
}
