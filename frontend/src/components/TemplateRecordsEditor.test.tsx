import { fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import type { EntryDraft } from '../lib/dnsForm';
import TemplateRecordsEditor from './TemplateRecordsEditor';

const TYPES = ['A', 'AAAA', 'MX', 'NS'];

function Harness({ initial, errors = {}, seen }: { initial: EntryDraft[]; errors?: Record<string, string>; seen: (e: EntryDraft[]) => void }) {
  const [entries, setEntries] = useState(initial);
  return (
    <TemplateRecordsEditor
      entries={entries}
      types={TYPES}
      errors={errors}
      onChange={(next) => {
        seen(next);
        setEntries(next);
      }}
    />
  );
}

const START: EntryDraft[] = [
  { name: '@', type: 'NS', content: '{ns}', ttl: '' },
  { name: 'www', type: 'A', content: '{ipv4}', ttl: '300' },
];

describe('TemplateRecordsEditor', () => {
  it('edits, adds and removes entries', () => {
    const seen = vi.fn<(e: EntryDraft[]) => void>();
    render(<Harness initial={START} seen={seen} />);
    fireEvent.change(screen.getByLabelText('Content of record 2'), { target: { value: '192.0.2.7' } });
    expect(seen).toHaveBeenLastCalledWith([START[0], { ...START[1], content: '192.0.2.7' }]);

    fireEvent.click(screen.getByRole('button', { name: 'Add a record' }));
    expect(screen.getByLabelText('Name of record 3')).toHaveProperty('value', '@');

    fireEvent.click(screen.getByRole('button', { name: 'Remove record 1' }));
    expect(screen.queryByLabelText('Name of record 3')).toBeNull();
    expect(screen.getByLabelText('Name of record 1')).toHaveProperty('value', 'www');
  });

  it('shows an entry’s error at its field, and a whole entry’s at each field', () => {
    render(
      <Harness
        initial={START}
        errors={{ 'records.1.content': "'x' is not an IPv4 address", 'records.0': 'ttl is a number or null' }}
        seen={() => undefined}
      />,
    );
    const content = screen.getByLabelText('Content of record 2');
    expect(content.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText("'x' is not an IPv4 address").id).toBe(content.getAttribute('aria-describedby'));
    expect(screen.getByLabelText('Name of record 2').getAttribute('aria-invalid')).toBeNull();
    expect(screen.getAllByText('ttl is a number or null')).toHaveLength(4);
  });

  it('keeps a type the list does not offer selectable', () => {
    render(<Harness initial={[{ name: '@', type: 'LOC', content: 'x', ttl: '' }]} seen={() => undefined} />);
    expect(screen.getByLabelText('Type of record 1')).toHaveProperty('value', 'LOC');
  });
});
