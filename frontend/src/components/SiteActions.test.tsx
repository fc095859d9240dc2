import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Site, Zone } from '../types';
import SiteActions from './SiteActions';
import ZoneActions from './ZoneActions';

const site: Site = {
  domain: 'xn--bcher-kva.example',
  display_domain: 'bücher.example',
  aliases: [],
  display_aliases: [],
  redirect_aliases: false,
  account: 'bob',
  php: null,
  docroot: null,
  document_root: '/home/bob/sites/xn--bcher-kva.example/public',
  state: 'active',
  suspended: false,
  limits: { max_children: 5, memory_limit_mb: 256, max_execution_time: 30, upload_max_mb: 64 },
  created_at: '2024-01-01T00:00:00Z',
};

const zone: Zone = {
  name: 'xn--bcher-kva.example',
  display_name: 'bücher.example',
  account: null,
  serial: 1,
  records: 3,
  secured: false,
  secondaries: [],
  created_at: '2024-01-01T00:00:00Z',
};

const BOTH = 'bücher.example (xn--bcher-kva.example)';

describe('SiteActions and ZoneActions', () => {
  it('name an IDN site by both its forms in the buttons and the dialogs', () => {
    render(<SiteActions site={site} canSuspend />);
    fireEvent.click(screen.getByRole('button', { name: `Delete ${BOTH}` }));
    expect(screen.getByRole('alertdialog', { name: `Delete ${BOTH}?` })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    fireEvent.click(screen.getByRole('button', { name: `Suspend ${BOTH}` }));
    expect(screen.getByRole('alertdialog', { name: `Suspend ${BOTH}?` })).toBeTruthy();
  });

  it('name an IDN zone by both its forms in the button and the dialog', () => {
    render(<ZoneActions zone={zone} />);
    fireEvent.click(screen.getByRole('button', { name: `Delete zone ${BOTH}` }));
    expect(screen.getByRole('alertdialog', { name: `Delete the zone ${BOTH}?` })).toBeTruthy();
  });
});
