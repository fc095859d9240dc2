import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import PlanUsage from './PlanUsage';

describe('PlanUsage', () => {
  it('shows each limit with its use, and a bar only where both are numbers', () => {
    render(
      <PlanUsage
        limits={[
          { limit: 'sites', allowed: 10, used: 3 },
          { limit: 'dns_zones', allowed: null, used: 2 },
          { limit: 'mailboxes', allowed: 5, used: null },
          { limit: 'disk_mb', allowed: null, used: null },
        ]}
      />,
    );
    expect(screen.getByText('Sites').nextElementSibling?.textContent).toBe('3 of 10');
    expect(screen.getByText('DNS zones').nextElementSibling?.textContent).toBe('2 of unlimited');
    expect(screen.getByText('Mailboxes').nextElementSibling?.textContent).toBe('up to 5');
    expect(screen.getByText('Disk space (MB)').nextElementSibling?.textContent).toBe('unlimited');
    const bars = screen.getAllByRole('progressbar');
    expect(bars.map((bar) => bar.getAttribute('aria-label'))).toEqual(['Sites used']);
    expect(bars[0]?.getAttribute('aria-valuenow')).toBe('30');
  });

  it('warns from 90 % of the disk quota, and not before', () => {
    const { unmount } = render(<PlanUsage limits={[{ limit: 'disk_mb', allowed: 100, used: 89 }]} />);
    expect(screen.queryByRole('alert')).toBeNull();
    unmount();
    render(<PlanUsage limits={[{ limit: 'disk_mb', allowed: 100, used: 92 }]} />);
    expect(screen.getByRole('alert').textContent).toBe('92 % of the disk quota is used.');
  });

  it('shows a limit of none as used up', () => {
    render(<PlanUsage limits={[{ limit: 'ftp_users', allowed: 0, used: 0 }]} />);
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
  });
});
