import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { FormAlert, FormField } from './FormField';

describe('FormField', () => {
  it('labels its input', () => {
    render(<FormField label="Name" name="name" defaultValue="" />);
    const input = screen.getByLabelText('Name');
    expect(input.tagName).toBe('INPUT');
    expect(input.getAttribute('aria-invalid')).toBeNull();
  });

  it('shows the error and ties it to the input', () => {
    render(<FormField label="Name" name="name" defaultValue="Bad!" error="Use lowercase letters and digits." />);
    const input = screen.getByLabelText('Name');
    const message = screen.getByText('Use lowercase letters and digits.');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(input.getAttribute('aria-describedby')).toBe(message.id);
  });

  it('shows the hint until there is an error', () => {
    const { rerender } = render(<FormField label="Name" hint="Also the Linux user." defaultValue="" />);
    expect(screen.getByText('Also the Linux user.')).toBeTruthy();
    rerender(<FormField label="Name" hint="Also the Linux user." defaultValue="" error="Taken." />);
    expect(screen.queryByText('Also the Linux user.')).toBeNull();
    expect(screen.getByText('Taken.')).toBeTruthy();
  });
});

describe('FormAlert', () => {
  it('shows only the errors no field shows', () => {
    render(<FormAlert errors={{ name: 'Taken.', __all__: 'Too many attempts.' }} fields={['name']} />);
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toBe('Too many attempts.');
  });

  it('renders nothing when every error has its field', () => {
    const { container } = render(<FormAlert errors={{ name: 'Taken.' }} fields={['name']} />);
    expect(container.innerHTML).toBe('');
  });
});
