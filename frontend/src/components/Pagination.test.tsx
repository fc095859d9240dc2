import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import Pagination, { pageWindow } from './Pagination';

describe('Pagination', () => {
  it('renders nothing for a single page', () => {
    const { container } = render(<Pagination page={1} pages={1} path="/accounts" />);
    expect(container.innerHTML).toBe('');
  });

  it('links pages and keeps the search', () => {
    render(<Pagination page={2} pages={3} path="/accounts" params={{ search: 'ali' }} />);
    expect(screen.getByText('Previous').getAttribute('href')).toBe('/accounts?search=ali');
    expect(screen.getByText('Next').getAttribute('href')).toBe('/accounts?search=ali&page=3');
    expect(screen.getByLabelText('Page 3').getAttribute('href')).toBe('/accounts?search=ali&page=3');
  });

  it('marks the current page and disables the way past the ends', () => {
    render(<Pagination page={1} pages={4} path="/audit" params={{ action: '' }} />);
    expect(screen.getByLabelText('Page 1').getAttribute('aria-current')).toBe('page');
    expect(screen.getByLabelText('Page 2').getAttribute('aria-current')).toBeNull();
    expect(screen.getByText('Previous').tagName).toBe('SPAN');
    expect(screen.getByText('Next').getAttribute('href')).toBe('/audit?page=2');
  });
});

describe('pageWindow', () => {
  it('keeps the ends and the neighbours, with gaps between', () => {
    expect(pageWindow(1, 3)).toEqual([1, 2, 3]);
    expect(pageWindow(10, 20)).toEqual([1, 'gap', 8, 9, 10, 11, 12, 'gap', 20]);
    expect(pageWindow(2, 20)).toEqual([1, 2, 3, 4, 'gap', 20]);
  });
});
