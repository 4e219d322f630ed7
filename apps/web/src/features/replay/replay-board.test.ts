import { describe, expect, it } from 'vitest';
import { replayBoard, replayCards, replayLayoutKey } from './replay-board';

describe('replayCards', () => {
  it('reads each card of a moment with the board’s reader, in id order', () => {
    const cards = replayCards({
      b: { kind: 'note', text: 'Second', x: 5, y: 6, authorId: 'moderator' },
      a: { kind: 'attribute', text: 'Balanced', definition: 'Fair to all sides', x: 1, y: 2 },
    });
    expect(cards.map((c) => c.id)).toEqual(['a', 'b']);
    expect(cards[0]).toMatchObject({ kind: 'attribute', text: 'Balanced', definition: 'Fair to all sides', x: 1 });
    expect(cards[1]).toMatchObject({ kind: 'note', text: 'Second', authorId: 'moderator', y: 6 });
  });

  it('reads a half-written card without breaking', () => {
    expect(replayCards({ c: { x: 'left' } })[0]).toMatchObject({ kind: 'note', text: '', x: 0 });
  });
});

describe('replayBoard', () => {
  it('is synced, with no one on it and no undo', () => {
    const board = replayBoard(replayCards({ a: { text: 'A' } }));
    expect(board).toMatchObject({ status: 'synced', peers: [], canUndo: false, canRedo: false });
    expect(board.cards).toHaveLength(1);
    expect(board.addNote(0, 0, 'no')).toBe('');
  });

  it('carries the moment’s named clusters, for the legend and the cards’ colours', () => {
    const clusters = { '1': { name: 'Empathy' }, '2': { name: 'Group 2', suggested: true } };
    expect(replayBoard([], clusters).clusters).toEqual(clusters);
    expect(replayBoard([]).clusters).toEqual({});
  });
});

describe('replayLayoutKey', () => {
  const grid = [
    { x: 40, y: 40 },
    { x: 1580, y: 400 },
  ];
  it('changes when the cards move to another region, not when one is nudged', () => {
    const key = replayLayoutKey(grid);
    expect(key).toBeGreaterThan(0);
    expect(
      replayLayoutKey([
        { x: 60, y: 50 },
        { x: 1600, y: 420 },
      ]),
    ).toBe(key);
    expect(
      replayLayoutKey([
        { x: 80, y: 2000 },
        { x: 1600, y: 2700 },
      ]),
    ).not.toBe(key);
  });
  it('is 0, no fit, for an empty board', () => {
    expect(replayLayoutKey([])).toBe(0);
  });
});
