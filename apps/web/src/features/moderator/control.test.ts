import { describe, expect, it } from 'vitest';
import { ClickGate } from './control';

const advance = { name: 'Advance' };
const reveal = { name: 'Reveal' };
const at = (currentTarget: object, clientX = 100, clientY = 200, detail = 1) => ({
  currentTarget,
  clientX,
  clientY,
  detail,
});

describe('the console click gate', () => {
  it('drops the second click of a double click when it lands on another control at the same spot', () => {
    let now = 1_000;
    const gate = new ClickGate(() => now);
    const ran: string[] = [];
    expect(gate.pass(at(advance), () => ran.push('advance'))).toBe(1);
    now += 250; // the console changed: Reveal moved up under the pointer
    expect(gate.pass(at(reveal, 103, 196, 2), () => ran.push('reveal'))).toBeUndefined();
    now += 249;
    expect(gate.pass(at(reveal), () => ran.push('reveal'))).toBeUndefined();
    now += 1; // half a second after the click it let through
    expect(gate.pass(at(reveal), () => ran.push('reveal'))).toBe(2);
    expect(ran).toEqual(['advance', 'reveal']);
  });

  it('lets through clicks on the same control, clicks elsewhere, and the keyboard', () => {
    let now = 1_000;
    const gate = new ClickGate(() => now);
    let ran = 0;
    const run = () => ++ran;
    gate.pass(at(reveal), run);
    now += 100; // Escape, then Reveal again: the same button decides for itself
    expect(gate.pass(at(reveal), run)).toBe(2);
    now += 100; // another button, 40 px away
    expect(gate.pass(at(advance, 140, 200), run)).toBe(3);
    now += 100; // Enter on a focused button has no position (detail 0)
    expect(gate.pass(at(reveal, 0, 0, 0), run)).toBe(4);
  });
});
