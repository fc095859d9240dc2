import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import FormCard from './FormCard';

describe('FormCard', () => {
  it('shows the errors of no field above the fields and leaves the others to them', () => {
    render(
      <FormCard title="New site" onSubmit={() => undefined} form={{ errors: { domain: 'Taken.', __all__: 'Try again later.' }, processing: false }} fields={['domain']} submitLabel="Create site">
        <p>fields</p>
      </FormCard>,
    );
    expect(screen.getByRole('alert').textContent).toBe('Try again later.');
    expect(screen.queryByText('Taken.')).toBeNull();
  });

  it('has a Cancel button only when it can be cancelled', () => {
    const onCancel = vi.fn();
    const form = { errors: {}, processing: false };
    const { rerender } = render(
      <FormCard title="Settings" onSubmit={() => undefined} form={form} fields={[]} submitLabel="Save settings">
        <p>fields</p>
      </FormCard>,
    );
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull();
    rerender(
      <FormCard title="Settings" onSubmit={() => undefined} form={form} fields={[]} submitLabel="Save settings" onCancel={onCancel}>
        <p>fields</p>
      </FormCard>,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onCancel).toHaveBeenCalledOnce();
  });

  it('submits through its form and shows the request running', () => {
    const onSubmit = vi.fn((event: { preventDefault: () => void }) => event.preventDefault());
    render(
      <FormCard title="New zone" onSubmit={onSubmit} form={{ errors: {}, processing: true }} fields={[]} submitLabel="Create zone">
        <p>fields</p>
      </FormCard>,
    );
    const submit = screen.getByRole('button', { name: 'Create zone' });
    expect(submit.getAttribute('aria-busy')).toBe('true');
    const form = submit.closest('form');
    expect(form).not.toBeNull();
    if (form !== null) fireEvent.submit(form);
    expect(onSubmit).toHaveBeenCalledOnce();
  });
});
