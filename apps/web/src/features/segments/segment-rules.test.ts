import { describe, expect, it } from 'vitest';
import {
  attributeRows,
  clockPhase,
  filledAttributes,
  finalsKey,
  rankingCovers,
  segment1Problem,
  segment5Problem,
  startingOrder,
} from './segment-rules';

const row = (name: string, definition: string, key = name) => ({ key, name, definition });

describe('segment 1', () => {
  it('says what is missing, row by row', () => {
    expect(segment1Problem(attributeRows())).toEqual({ kind: 'empty' });
    expect(segment1Problem([row('Balanced', ''), row('', '')])).toEqual({ kind: 'needsDefinition', n: 1 });
    expect(segment1Problem([row('A', 'x'), row('  ', 'a definition')])).toEqual({ kind: 'needsName', n: 2 });
    expect(segment1Problem([row('Fair', 'x'), row(' fair ', 'y', 'b')])).toEqual({ kind: 'duplicate', name: 'fair' });
    expect(segment1Problem([row('', ''), row('संतुलित', 'कई दृष्टिकोण')])).toBeNull();
  });

  it('sends the filled rows trimmed, and puts a submission back into the three rows', () => {
    expect(filledAttributes([row(' A ', ' x '), row('', ''), row('B', 'y')])).toEqual([
      { name: 'A', definition: 'x' },
      { name: 'B', definition: 'y' },
    ]);
    expect(attributeRows([{ name: 'A', definition: 'x' }])).toEqual([
      { key: 'a1', name: 'A', definition: 'x' },
      { key: 'a2', name: '', definition: '' },
      { key: 'a3', name: '', definition: '' },
    ]);
  });
});

describe('segment 5', () => {
  const ids = ['f1', 'f2', 'f3'];
  it('asks for every rating, then for the ranking to be confirmed', () => {
    expect(segment5Problem([], {}, true)).toEqual({ kind: 'noFinals' });
    expect(segment5Problem(ids, { f1: 3 }, true)).toEqual({ kind: 'rate', missing: 2, total: 3 });
    expect(segment5Problem(ids, { f1: 3, f2: 1, f3: 5 }, false)).toEqual({ kind: 'confirm' });
    expect(segment5Problem(ids, { f1: 3, f2: 1, f3: 5 }, true)).toBeNull();
  });

  it('starts from the submitted order, and keeps it confirmed only while it covers the list', () => {
    expect(startingOrder(ids)).toEqual(ids);
    expect(startingOrder(ids, ['f3', 'f1', 'gone'])).toEqual(['f3', 'f1', 'f2']);
    expect(rankingCovers(ids, ['f3', 'f1', 'f2'])).toBe(true);
    expect(rankingCovers(ids, ['f3', 'f1'])).toBe(false);
    expect(rankingCovers(ids, ['f3', 'f1', 'f1'])).toBe(false);
    expect(rankingCovers(ids, undefined)).toBe(false);
  });

  it('changes the finals key when a name, a definition or the list changes', () => {
    const a = [{ id: 'f1', name: 'Balance', definition: 'Fair' }];
    expect(finalsKey(a)).toBe(finalsKey([{ ...a[0], position: 2 } as (typeof a)[number]]));
    expect(finalsKey(a)).not.toBe(finalsKey([{ id: 'f1', name: 'Balance', definition: 'Fair to all' }]));
    expect(finalsKey(a)).not.toBe(finalsKey([...a, { id: 'f2', name: 'X', definition: 'Y' }]));
  });
});

describe('the clock', () => {
  it('is time-up when a running clock reaches 0:00, and says paused and ended', () => {
    expect(clockPhase(undefined, null)).toBe('none');
    expect(clockPhase('running', 1)).toBe('running');
    expect(clockPhase('running', 0)).toBe('timeUp');
    expect(clockPhase('running', null)).toBe('running');
    expect(clockPhase('paused', 0)).toBe('paused');
    expect(clockPhase('pending', null)).toBe('pending');
    expect(clockPhase('ended', 0)).toBe('ended');
  });
});
