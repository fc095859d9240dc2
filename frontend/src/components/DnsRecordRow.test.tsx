import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { DnsRecord } from '../types';
import DnsRecordRow from './DnsRecordRow';

const TYPES = ['A', 'AAAA', 'MX', 'TXT'];
const RECORD: DnsRecord = { id: 7, name: 'www', fqdn: 'www.example.com', type: 'A', content: '192.0.2.1', ttl: 3600, managed: false };

function renderRow(record: DnsRecord) {
  return render(
    <table>
      <tbody>
        <DnsRecordRow record={record} zone="example.com" types={TYPES} />
      </tbody>
    </table>,
  );
}

describe('DnsRecordRow', () => {
  it('is edited in place and put back by Cancel', () => {
    renderRow(RECORD);
    expect(screen.queryByLabelText('Content')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Edit www A' }));
    const content = screen.getByLabelText('Content');
    expect(content).toHaveProperty('value', '192.0.2.1');
    expect(screen.getByLabelText('TTL')).toHaveProperty('value', '3600');
    fireEvent.change(content, { target: { value: '192.0.2.2' } });
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.getByText('192.0.2.1')).toBeTruthy();
    // Opening again starts from the record, not from the abandoned edit.
    fireEvent.click(screen.getByRole('button', { name: 'Edit www A' }));
    expect(screen.getByLabelText('Content')).toHaveProperty('value', '192.0.2.1');
  });

  it('offers no edit or delete for the SOA', () => {
    renderRow({ ...RECORD, type: 'SOA', name: '@', managed: true });
    expect(screen.queryByRole('button')).toBeNull();
    expect(screen.getByText('Kept by the panel')).toBeTruthy();
  });
});
