import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../lib/api';
import { failureCode, streamAnswer } from './chat-api';

/** A response whose body arrives in `chunks`, as a server streams it. */
const sse = (chunks: string[], init: ResponseInit = {}) =>
  new Response(
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
        controller.close();
      },
    }),
    { status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8' }, ...init },
  );
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const run = async (response: Response) => {
  const fetch = vi.fn(async () => response);
  vi.stubGlobal('fetch', fetch);
  const tokens: string[] = [];
  const accepted = vi.fn();
  const outcome = await streamAnswer('/api/conversations/c1/messages', { content: 'Hi' }, 'tok', {
    onToken: (t) => tokens.push(t),
    onAccepted: accepted,
  });
  return { outcome, tokens, accepted, fetch };
};

const message = { id: 'm2', role: 'assistant', content: 'Hello there', status: 'complete' };

describe('streamAnswer', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('POSTs asking for events, hands each token over as it arrives, and ends with the stored answer', async () => {
    const { outcome, tokens, accepted, fetch } = await run(
      sse([
        'event: user\ndata: {"message":{"id":"m1"}}\n\nevent: token\ndata: {"text":"Hel',
        'lo"}\n\nevent: token\ndata: {"text":" there"}\n\n',
        `event: done\ndata: ${JSON.stringify({ message })}\n\n`,
      ]),
    );
    expect(fetch).toHaveBeenCalledWith(
      '/api/conversations/c1/messages',
      expect.objectContaining({
        method: 'POST',
        body: '{"content":"Hi"}',
        headers: expect.objectContaining({ accept: 'text/event-stream', authorization: 'Bearer tok' }),
      }),
    );
    expect(tokens).toEqual(['Hello', ' there']);
    expect(accepted).toHaveBeenCalledOnce();
    expect(outcome).toEqual({ type: 'done', message });
  });

  it('returns the error event with the turn as stored', async () => {
    const failed = { ...message, content: 'Hel', status: 'incomplete' };
    const error = { code: 'MODEL_UNAVAILABLE', message: 'cut', reason: 'STREAM_BROKEN' };
    const { outcome, tokens } = await run(
      sse([
        'event: token\ndata: {"text":"Hel"}\n\n',
        `event: error\ndata: ${JSON.stringify({ error, message: failed })}\n\n`,
      ]),
    );
    expect(tokens).toEqual(['Hel']);
    expect(outcome).toEqual({ type: 'error', error, message: failed });
  });

  it('calls a stream that ends without done or error broken', async () => {
    const { outcome } = await run(sse(['event: token\ndata: {"text":"Hel"}\n\nevent: done\ndata: {"mess']));
    expect(outcome).toMatchObject({ type: 'error', error: { code: 'STREAM_BROKEN' } });
  });

  it('throws a refusal before anything was stored, so the text goes back to the composer', async () => {
    const refused = run(json(429, { error: { code: 'RATE_LIMITED', message: 'Too many messages; try again in 5 s' } }));
    await expect(refused).rejects.toBeInstanceOf(ApiError);
    await expect(refused).rejects.toMatchObject({ status: 429, code: 'RATE_LIMITED' });
  });

  it('takes a 502 answered as JSON as a failed answer whose user turn is stored', async () => {
    const error = { code: 'MODEL_UNAVAILABLE', message: 'down', reason: 'ENDPOINT_DOWN' };
    const { outcome, accepted } = await run(json(502, { error, message: { ...message, status: 'failed' } }));
    expect(accepted).toHaveBeenCalledOnce();
    expect(outcome).toMatchObject({ type: 'error', error });
  });

  it('turns an unreachable server into NETWORK_ERROR', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        throw new TypeError('fetch failed');
      }),
    );
    await expect(streamAnswer('/x', {}, null, { onToken: () => {} })).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
  });
});

describe('failureCode', () => {
  it("prefers the provider's reason, then the stored turn's code, over the general code", () => {
    expect(failureCode({ code: 'MODEL_UNAVAILABLE', reason: 'KEY_MISSING' })).toBe('KEY_MISSING');
    expect(failureCode({ code: 'MODEL_UNAVAILABLE' }, { code: 'TIMEOUT' })).toBe('TIMEOUT');
    expect(failureCode({ code: 'MODEL_UNAVAILABLE', reason: 'CLIENT_GONE' })).toBe('MODEL_UNAVAILABLE');
    expect(failureCode(undefined)).toBe('MODEL_UNAVAILABLE');
  });
});
