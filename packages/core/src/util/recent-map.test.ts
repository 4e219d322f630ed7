import { describe, expect, it } from 'vitest';
import { RecentMap } from './recent-map.js';

describe('RecentMap', () => {
  it('drops the least recently used entry past its limit, reads counting as use', () => {
    const dropped: string[] = [];
    const map = new RecentMap<string, number>(2, (key) => dropped.push(key));
    map.set('a', 1).set('b', 2);
    expect(map.get('a')).toBe(1);
    map.set('c', 3);
    expect(dropped).toEqual(['b']);
    expect([map.has('a'), map.has('b'), map.has('c'), map.size]).toEqual([true, false, true, 2]);
    map.set('a', 10);
    map.set('d', 4);
    expect(dropped).toEqual(['b', 'c']);
    expect(map.get('a')).toBe(10);
    expect(map.delete('a')).toBe(true);
    expect(map.get('a')).toBeUndefined();
  });
});
