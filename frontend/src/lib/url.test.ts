import { describe, expect, it } from 'vitest';
import { segment, withQuery } from './url';

describe('withQuery', () => {
  it('leaves out empty parameters', () => {
    expect(withQuery('/accounts', { search: '', page: 2 })).toBe('/accounts?page=2');
    expect(withQuery('/accounts', { search: null, page: undefined })).toBe('/accounts');
  });

  it('encodes values', () => {
    expect(withQuery('/audit', { action: 'login failed&x' })).toBe('/audit?action=login+failed%26x');
  });
});

describe('segment', () => {
  it('cannot add path segments', () => {
    expect(segment('../admin')).toBe('..%2Fadmin');
  });
});
