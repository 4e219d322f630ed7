/** One Server-Sent Event: its `event:` name (`message` when none was given) and its `data:` text. */
export interface SseEvent {
  event: string;
  data: string;
}

/**
 * An incremental parser for a `text/event-stream` body, after the HTML standard's rules: lines end
 * in CRLF, LF or CR; `data:` lines of one event are joined with LF; a blank line dispatches;
 * comments (`:`) and `id:`/`retry:` are ignored. Feed it text as the body arrives: a chunk may end
 * anywhere, even between the CR and LF of one line ending, so the unfinished tail is kept.
 */
export class SseParser {
  private buffer = '';
  /** The previous chunk ended in CR: a LF starting the next chunk belongs to that line ending. */
  private pendingCr = false;
  private event = '';
  private data: string[] = [];

  /** Parses `chunk` and returns the events it completed, in order. */
  push(chunk: string): SseEvent[] {
    if (chunk === '') return [];
    let text = chunk;
    if (this.pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.pendingCr = false;
    this.buffer += text;
    const events: SseEvent[] = [];
    const lineEnd = /\r\n|\r|\n/g;
    let start = 0;
    for (let match = lineEnd.exec(this.buffer); match !== null; match = lineEnd.exec(this.buffer)) {
      // A CR at the very end may be the first half of CRLF: decide once the next chunk arrives.
      if (match[0] === '\r' && match.index === this.buffer.length - 1) this.pendingCr = true;
      const event = this.line(this.buffer.slice(start, match.index));
      if (event) events.push(event);
      start = match.index + match[0].length;
    }
    this.buffer = this.buffer.slice(start);
    return events;
  }

  /** The body ended: an event without its closing blank line is dropped, as the standard says. */
  end(): SseEvent[] {
    this.buffer = '';
    this.event = '';
    this.data = [];
    return [];
  }

  private line(line: string): SseEvent | null {
    if (line === '') {
      if (this.data.length === 0) {
        this.event = '';
        return null;
      }
      const event = { event: this.event || 'message', data: this.data.join('\n') };
      this.event = '';
      this.data = [];
      return event;
    }
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    return null;
  }
}

/**
 * Reads a fetch response body as Server-Sent Events, yielding each as it completes. Decodes UTF-8
 * across chunk boundaries (a Devanagari character may be split between two reads).
 */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
    yield* parser.push(decoder.decode());
    parser.end();
  } finally {
    reader.releaseLock();
  }
}
