import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import HostName, { hostLabel, hostLabels, HostNames } from './HostName';

describe('HostName', () => {
  it('shows an ASCII name once', () => {
    const { container } = render(<HostName name="example.com" display="example.com" />);
    expect(container.textContent).toBe('example.com');
    expect(container.querySelector('span')).toBeNull();
  });

  it('shows the A-label of an IDN beside its Unicode form, muted and monospace', () => {
    const { container } = render(<HostName name="xn--bcher-kva.example" display="bücher.example" />);
    expect(container.textContent).toBe('bücher.example (xn--bcher-kva.example)');
    const aLabel = screen.getByText('(xn--bcher-kva.example)');
    expect(aLabel.className).toContain('font-mono');
    expect(aLabel.className).toContain('text-slate-500');
  });

  it('tells apart two names that look the same in Unicode', () => {
    // A Latin "a" and a Cyrillic "а": the same on screen, different A-labels.
    const { container: latin } = render(<HostName name="paypal.example" display="paypal.example" />);
    const { container: cyrillic } = render(<HostName name="xn--pypal-4ve.example" display="pаypal.example" />);
    expect(latin.textContent).toBe('paypal.example');
    expect(cyrillic.textContent).toBe('pаypal.example (xn--pypal-4ve.example)');
  });

  it('shows the name alone when no display form is known', () => {
    const { container } = render(<HostName name="xn--bcher-kva.example" display="" />);
    expect(container.textContent).toBe('xn--bcher-kva.example');
  });

  it('gives the same text as hostLabel, for aria-labels and titles', () => {
    expect(hostLabel('example.com', 'example.com')).toBe('example.com');
    expect(hostLabel('xn--bcher-kva.example', 'bücher.example')).toBe('bücher.example (xn--bcher-kva.example)');
  });

  it('lists several names, each with its own A-label where it differs', () => {
    const names = ['plain.example', 'xn--caf-dma.example'];
    const displays = ['plain.example', 'café.example'];
    const { container } = render(<HostNames names={names} displays={displays} />);
    expect(container.textContent).toBe('plain.example, café.example (xn--caf-dma.example)');
    expect(hostLabels(names, displays)).toBe(container.textContent);
  });
});
