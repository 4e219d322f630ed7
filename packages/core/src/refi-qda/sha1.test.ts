import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha1 } from './sha1.js';

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

describe('sha1', () => {
  it('equals node:crypto for empty, short, block-boundary and multi-byte texts', () => {
    const texts = ['', 'abc', 'a'.repeat(55), 'a'.repeat(56), 'a'.repeat(64), 'a'.repeat(1000), 'नमस्ते — مرحبا 🎉'];
    for (const text of texts) {
      expect(hex(sha1(text)), JSON.stringify(text.slice(0, 20))).toBe(createHash('sha1').update(text).digest('hex'));
    }
  });
});
