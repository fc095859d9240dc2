import { describe, expect, it } from 'vitest';
import { phpOptions } from './siteForm';

describe('phpOptions', () => {
  it('offers a static site first and marks the server default', () => {
    expect(phpOptions({ versions: ['8.3', '8.2'], default: '8.2' })).toEqual([
      { value: '', label: 'None (static site)' },
      { value: '8.3', label: 'PHP 8.3' },
      { value: '8.2', label: 'PHP 8.2 (default)' },
    ]);
  });

  it("keeps a site's removed version selectable", () => {
    expect(phpOptions({ versions: ['8.3'], default: '8.3' }, '7.4').map((o) => o.value)).toEqual(['', '7.4', '8.3']);
  });

  it('offers only a static site when the versions could not be read', () => {
    expect(phpOptions(null)).toEqual([{ value: '', label: 'None (static site)' }]);
  });
});
