import { describe, expect, it } from 'vitest';
import { readSse, SseParser } from './sse';

const all = (chunks: string[]) => {
  const parser = new SseParser();
  return chunks.flatMap((c) => parser.push(c));
};

describe('SseParser', () => {
  it('reads named events with JSON data', () => {
    expect(all(['event: token\ndata: {"text":"Hi"}\n\nevent: done\ndata: {}\n\n'])).toEqual([
      { event: 'token', data: '{"text":"Hi"}' },
      { event: 'done', data: '{}' },
    ]);
  });

  it('gives the same events however the body is cut, one character at a time included', () => {
    const body =
      'event: token\r\ndata: {"text":"a"}\r\n\r\n: keep-alive\n\nevent: token\rdata: {"text":"b"}\r\rdata: x\n\n';
    const expected = [
      { event: 'token', data: '{"text":"a"}' },
      { event: 'token', data: '{"text":"b"}' },
      { event: 'message', data: 'x' },
    ];
    expect(all([body])).toEqual(expected);
    expect(all([...body])).toEqual(expected);
    for (let cut = 1; cut < body.length; cut++) expect(all([body.slice(0, cut), body.slice(cut)])).toEqual(expected);
  });

  it('joins data lines, ignores comments, ids and unknown fields, and keeps a value without a space', () => {
    expect(all(['id: 3\nretry: 10\nfoo: bar\n: note\nevent:token\ndata:line 1\ndata: line 2\n\n'])).toEqual([
      { event: 'token', data: 'line 1\nline 2' },
    ]);
  });

  it('dispatches nothing for a blank line without data, and forgets its event name', () => {
    expect(all(['event: token\n\ndata: y\n\n'])).toEqual([{ event: 'message', data: 'y' }]);
  });

  it('holds back an event until its blank line, and drops an unfinished one at the end', () => {
    const parser = new SseParser();
    expect(parser.push('event: token\ndata: {"text":"par')).toEqual([]);
    expect(parser.push('tial"}\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ event: 'token', data: '{"text":"partial"}' }]);
    parser.push('event: done\ndata: {}');
    expect(parser.end()).toEqual([]);
  });
});

describe('readSse', () => {
  it('decodes UTF-8 split across reads and yields events as they complete', async () => {
    const bytes = new TextEncoder().encode('event: token\ndata: {"text":"नमस्ते"}\n\nevent: done\ndata: {}\n\n');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        // Cut inside a multi-byte character.
        controller.enqueue(bytes.slice(0, 27));
        controller.enqueue(bytes.slice(27, 31));
        controller.enqueue(bytes.slice(31));
        controller.close();
      },
    });
    const events = [];
    for await (const event of readSse(stream)) events.push(event);
    expect(events).toEqual([
      { event: 'token', data: '{"text":"नमस्ते"}' },
      { event: 'done', data: '{}' },
    ]);
  });
});
