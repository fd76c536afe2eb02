import { NameValues } from '../../../src/gateway/expressions';

describe('NameValues', () => {
  it('is case-insensitive for headers and keeps the first spelling and insertion order', () => {
    const headers = new NameValues({ 'Content-Type': 'application/json', Accept: ['a', 'b'] });
    headers.append('accept', 'c');
    headers.set('X-New', ['1']);
    expect(headers.get('ACCEPT')).toEqual(['a', 'b', 'c']);
    expect([...headers].map(([name]) => name)).toEqual(['Content-Type', 'Accept', 'X-New']);
    expect(headers.delete('content-type')).toBe(true);
    expect(headers.has('Content-Type')).toBe(false);
    expect(headers.size).toBe(2);
  });

  it('can be case-sensitive (query parameters)', () => {
    const query = new NameValues([['a', '1']], false);
    expect(query.get('A')).toBeUndefined();
    expect(query.get('a')).toEqual(['1']);
  });
});
