import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddress, originCheck, SocketCounter, SocketLimits } from './admission.js';

describe('originCheck', () => {
  const check = originCheck({
    allowed: ['https://allowed.example.org'],
    publicUrl: 'https://calma.example.org/base',
    trustProxy: false,
  });

  it('admits requests without an Origin (not from a browser)', () => {
    expect(check({ host: 'calma.example.org' })).toBe(true);
  });

  it("admits the server's own origin, whatever the scheme, and the default port either way", () => {
    expect(check({ host: '127.0.0.1:8080', origin: 'http://127.0.0.1:8080' })).toBe(true);
    expect(check({ host: 'Board.Example.ORG', origin: 'https://board.example.org' })).toBe(true);
    expect(check({ host: 'board.example.org:443', origin: 'https://board.example.org' })).toBe(true);
    expect(check({ host: 'localhost:5173', origin: 'http://localhost:5173' })).toBe(true);
  });

  it('admits the public URL and listed origins, exactly', () => {
    expect(check({ host: '10.0.0.5:8080', origin: 'https://calma.example.org' })).toBe(true);
    expect(check({ host: '10.0.0.5:8080', origin: 'https://allowed.example.org' })).toBe(true);
    expect(check({ host: '10.0.0.5:8080', origin: 'http://allowed.example.org' })).toBe(false);
    expect(check({ host: '10.0.0.5:8080', origin: 'https://allowed.example.org:8443' })).toBe(false);
  });

  it('refuses other origins, opaque ones and a port that differs', () => {
    expect(check({ host: '127.0.0.1:8080', origin: 'https://evil.example' })).toBe(false);
    expect(check({ host: '127.0.0.1:8080', origin: 'http://127.0.0.1:9999' })).toBe(false);
    expect(check({ host: '127.0.0.1:8080', origin: 'null' })).toBe(false);
    expect(check({ host: '127.0.0.1:8080', origin: 'file://' })).toBe(false);
    expect(check({ origin: 'https://evil.example' })).toBe(false);
  });

  it('reads X-Forwarded-Host only behind a trusted proxy', () => {
    const headers = { host: '127.0.0.1:8080', origin: 'https://calma.internal', 'x-forwarded-host': 'calma.internal' };
    expect(check(headers)).toBe(false);
    expect(originCheck({ allowed: [], publicUrl: null, trustProxy: true })(headers)).toBe(true);
  });

  it("admits every origin with '*'", () => {
    expect(originCheck({ allowed: '*', publicUrl: null, trustProxy: false })({ origin: 'https://evil.example' })).toBe(
      true,
    );
  });
});

describe('clientAddress', () => {
  const request = (headers: Record<string, string>) =>
    ({ headers, socket: { remoteAddress: '127.0.0.1' } }) as unknown as IncomingMessage;

  it("is the peer's address unless the proxy is trusted, then the first forwarded one", () => {
    const forwarded = request({ 'x-forwarded-for': '203.0.113.7, 10.0.0.1' });
    expect(clientAddress(forwarded, false)).toBe('127.0.0.1');
    expect(clientAddress(forwarded, true)).toBe('203.0.113.7');
    expect(clientAddress(request({}), true)).toBe('127.0.0.1');
  });
});

describe('SocketCounter', () => {
  it('refuses past the cap and frees a place once, however often it is released', () => {
    const counter = new SocketCounter(2);
    const first = counter.take('a');
    expect(counter.take('a')).not.toBeNull();
    expect(counter.take('a')).toBeNull();
    expect(counter.take('b')).not.toBeNull();
    first?.();
    first?.();
    expect(counter.count('a')).toBe(1);
    expect(counter.take('a')).not.toBeNull();
    expect(counter.take('a')).toBeNull();
  });
});

describe('SocketLimits', () => {
  it('counts tokens and addresses apart', () => {
    const limits = new SocketLimits({ perToken: 1, perAddress: 1 });
    expect(limits.token('same')).not.toBeNull();
    expect(limits.token('same')).toBeNull();
    expect(limits.address('same')).not.toBeNull();
    expect(limits.address('same')).toBeNull();
  });
});
