import net from 'node:net';
import { startTestApp, type TestApp } from '@calma/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Plain HTTP limits over real loopback sockets: a request whose body stops half-way is answered
 * 408 and closed within the request timeout; an over-limit body sent as fast as the client can
 * is answered 413 in the contract's shape, without a connection reset, every time.
 *
 * PGlite only: these test the HTTP server in front of the routes, not storage, so running them
 * on PostgreSQL as well (as every database test here does) would test nothing more.
 */

interface RawResponse {
  status: number;
  body: string;
  /** A socket error the client saw while sending or reading (EPIPE, ECONNRESET), if any. */
  error: string | null;
  /** Milliseconds from the first byte sent to the socket closing. */
  closedAfterMs: number;
}

/**
 * Sends `head` and then `body` (all of it, as fast as the socket takes it) on a fresh socket and
 * collects what comes back until the server closes. Like a client that writes its whole body
 * before it reads (Python's http.client), it records any error met on the way.
 */
function rawRequest(port: number, head: string, body: Buffer | null, ms = 15_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let error: string | null = null;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server did not close the socket within ${ms} ms`));
    }, ms);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      error = err.code ?? err.message;
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, body: text.slice(text.indexOf('\r\n\r\n') + 4), error, closedAfterMs: Date.now() - started });
    });
    socket.write(head);
    if (body) socket.write(body);
  });
}

const contractError = (code: string) => ({ error: { code, message: expect.any(String) } });

describe('HTTP request limits (PGlite)', () => {
  const requestTimeoutMs = 1_000;
  const bodyLimit = 1024 * 1024;
  let t: TestApp;
  let port: number;
  const post = (extra: string) =>
    `POST /api/studies HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer ${t.adminToken}\r\n${extra}\r\n`;

  beforeAll(async () => {
    t = await startTestApp('pglite', { listen: true, requestTimeoutMs, bodyLimit });
    port = Number(new URL(t.url).port);
  });
  afterAll(() => t.close());

  it('answers 408 and closes when a body stops half-way, or the headers never end', async () => {
    const stalled = Array.from({ length: 20 }, () =>
      rawRequest(port, `${post('Content-Length: 1000\r\n')}{"title":"half`, null),
    );
    const headless = rawRequest(port, 'GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n', null);
    for (const response of [...(await Promise.all(stalled)), await headless]) {
      expect(response.status).toBe(408);
      expect(JSON.parse(response.body)).toEqual(contractError('BAD_REQUEST'));
      // Node checks for expired requests every tenth of the timeout; allow for a loaded machine.
      expect(response.closedAfterMs).toBeGreaterThanOrEqual(requestTimeoutMs - 50);
      expect(response.closedAfterMs).toBeLessThan(requestTimeoutMs + 3_000);
    }
    // A request that arrives in time is not affected.
    expect((await t.http('GET', '/api/health', null)).status).toBe(200);
  });

  it('answers every fast over-limit upload with the 413 error, never a reset', async () => {
    const body = Buffer.alloc(8 * bodyLimit, 'a');
    const chunked = Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
    const results: RawResponse[] = [];
    // With a declared length (refused before reading) and chunked (refused once past the limit).
    for (let i = 0; i < 15; i++) results.push(await rawRequest(port, post(`Content-Length: ${body.length}\r\n`), body));
    for (let i = 0; i < 15; i++) results.push(await rawRequest(port, post('Transfer-Encoding: chunked\r\n'), chunked));
    for (const response of results) {
      expect(response).toMatchObject({ status: 413, error: null });
      expect(JSON.parse(response.body)).toEqual(contractError('PAYLOAD_TOO_LARGE'));
    }
  });
});
