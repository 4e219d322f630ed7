import { describe, expect, it } from 'vitest';
import { StopStrings } from './local-stop.js';

const run = (stops: string[], pieces: string[]) => {
  const scanner = new StopStrings(stops);
  const shown = pieces.map((p) => scanner.push(p));
  shown.push(scanner.end());
  return { shown, stopped: scanner.stopped };
};

describe('stop strings', () => {
  it('passes text through when no stop string appears, holding back only what could start one', () => {
    const { shown, stopped } = run(['\nUser:'], ['Hello', ' there', '\n', 'Us', 'ually', ' yes']);
    expect(shown).toEqual(['Hello', ' there', '', '', '\nUsually', ' yes', '']);
    expect(shown.join('')).toBe('Hello there\nUsually yes');
    expect(stopped).toBe(false);
  });

  it('cuts at a stop string split over several pieces and shows nothing of it or after it', () => {
    const { shown, stopped } = run(['\nUser:', '\nSystem:'], ['Fine.', '\nU', 'ser', ': and', ' more']);
    expect(shown.join('')).toBe('Fine.');
    expect(stopped).toBe(true);
  });

  it('cuts at the earliest of several stop strings in one piece', () => {
    const { shown } = run(['\nUser:', '\nSystem:'], ['a\nSystem: b\nUser: c']);
    expect(shown.join('')).toBe('a');
  });

  it('shows held text at the end when it was not a stop string', () => {
    expect(run(['\nUser:'], ['ok\nUse']).shown.join('')).toBe('ok\nUse');
  });
});
