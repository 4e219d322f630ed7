import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the fake does with one chat-completions request. Requests take the scripted behaviours in
 * order; once the script is used up every request is `normal`.
 */
export type FakeBehaviour =
  /** The configured reply, streamed (or whole, without `stream`). */
  | { type: 'normal' }
  /** An error status with an OpenAI error body (`retryAfterS` sets `retry-after`). */
  | { type: 'error'; status: number; code?: string; message?: string; retryAfterS?: number }
  /** Headers at once, then nothing for `delayMs` before the answer streams. */
  | { type: 'slow-first-token'; delayMs: number }
  /** The connection is destroyed after `afterTokens` tokens. */
  | { type: 'drop'; afterTokens: number }
  /** A chunk that is not JSON after `afterTokens` tokens, then the connection ends. */
  | { type: 'malformed'; afterTokens: number };

/** A request the fake received. */
export interface FakeRequest {
  path: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
  /** `performance.now()` when the request had arrived whole. */
  receivedAt: number;
  /** `performance.now()` when the first token was written (streams that got that far). */
  firstTokenAt?: number;
  /** The tokens written, in order. */
  tokens: string[];
  behaviour: FakeBehaviour;
}

/** How the fake answers. */
export interface FakeOpenAIOptions {
  /** The assistant's answer (a function of the request body for per-request answers). */
  reply?: string | ((body: Record<string, unknown>) => string);
  /** Streaming pace; the first token comes one interval after the headers. Default 200. */
  tokensPerSecond?: number;
  /** Models `/v1/models` lists and completions accept; others are 404 `model_not_found`. */
  models?: string[];
  /** When set, requests must carry `Authorization: Bearer <apiKey>`, else 401. */
  apiKey?: string;
}

/** A running fake. */
export interface FakeOpenAI {
  /** Base URL to give a model entry, ending in `/v1`. */
  readonly baseUrl: string;
  readonly requests: FakeRequest[];
  /** Appends behaviours for the next requests. */
  script(...behaviours: FakeBehaviour[]): void;
  close(): Promise<void>;
}

/** Splits an answer into tokens that concatenate back to it: each word with the space before it. */
export function fakeTokens(reply: string): string[] {
  return reply.match(/\s*\S+/g) ?? [];
}

const errorBody = (message: string, type: string, code: string | null) =>
  JSON.stringify({ error: { message, type, param: null, code } });

/**
 * An OpenAI-compatible HTTP server on a free loopback port, speaking the real wire format:
 * `POST /v1/chat/completions` as JSON or as server-sent events (`data: {…}` chunks with
 * `choices[0].delta.content`, usage in the last chunk when `stream_options.include_usage`, then
 * `data: [DONE]`), `GET /v1/models`, and `{error:{message,type,code}}` bodies.
 */
export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const models = options.models ?? ['fake-model'];
  const interval = 1000 / (options.tokensPerSecond ?? 200);
  const queue: FakeBehaviour[] = [];
  const requests: FakeRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => res.destroy());
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0] ?? '';
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const receivedAt = performance.now();
    if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(errorBody('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'));
      return;
    }
    if (req.method === 'GET' && path === '/v1/models') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ object: 'list', data: models.map((id) => ({ id, object: 'model', owned_by: 'fake' })) }),
      );
      return;
    }
    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(errorBody(`Unknown path ${path}`, 'invalid_request_error', null));
      return;
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(errorBody('We could not parse the JSON body of your request.', 'invalid_request_error', null));
      return;
    }
    const behaviour = queue.shift() ?? { type: 'normal' };
    const record: FakeRequest = {
      path,
      authorization: req.headers.authorization,
      body,
      receivedAt,
      tokens: [],
      behaviour,
    };
    requests.push(record);
    if (!models.includes(String(body.model))) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        errorBody(`The model \`${String(body.model)}\` does not exist.`, 'invalid_request_error', 'model_not_found'),
      );
      return;
    }
    if (behaviour.type === 'error') {
      res.writeHead(behaviour.status, {
        'content-type': 'application/json',
        ...(behaviour.retryAfterS === undefined ? {} : { 'retry-after': String(behaviour.retryAfterS) }),
      });
      res.end(
        errorBody(
          behaviour.message ?? `Fake error ${behaviour.status}`,
          behaviour.status === 429 ? 'rate_limit_exceeded' : 'server_error',
          behaviour.code ?? null,
        ),
      );
      return;
    }
    const reply = typeof options.reply === 'function' ? options.reply(body) : (options.reply ?? 'Hello from the fake.');
    const tokens = fakeTokens(reply);
    const id = `chatcmpl-${requests.length}`;
    const created = Math.floor(Date.now() / 1000);
    const usage = { prompt_tokens: 7, completion_tokens: tokens.length, total_tokens: 7 + tokens.length };
    if (body.stream !== true) {
      if (behaviour.type === 'slow-first-token') await wait(behaviour.delayMs);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model: body.model,
          choices: [{ index: 0, message: { role: 'assistant', content: reply }, finish_reason: 'stop' }],
          usage,
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.flushHeaders();
    let gone = false;
    res.on('close', () => {
      gone = true;
    });
    const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
    if (behaviour.type === 'slow-first-token') await wait(behaviour.delayMs);
    for (const [n, token] of tokens.entries()) {
      await wait(interval);
      if (gone) return;
      if (behaviour.type === 'drop' && n === behaviour.afterTokens) {
        res.destroy();
        return;
      }
      if (behaviour.type === 'malformed' && n === behaviour.afterTokens) {
        res.end('data: {"id": "broken", "choices": [{"delta": {"content": \n\n');
        return;
      }
      if (n === 0) record.firstTokenAt = performance.now();
      record.tokens.push(token);
      res.write(chunk(n === 0 ? { role: 'assistant', content: token } : { content: token }, null));
    }
    if (gone) return;
    res.write(chunk({}, 'stop'));
    const streamOptions = body.stream_options as { include_usage?: boolean } | undefined;
    if (streamOptions?.include_usage)
      res.write(
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [], usage })}\n\n`,
      );
    res.end('data: [DONE]\n\n');
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    script: (...behaviours) => {
      queue.push(...behaviours);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
