import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LocalWorkerReply, LocalWorkerRequest } from './local-generate.js';
import { type LocalModelSettings, locateModel } from './local-model.js';
import { type ChatChunk, type ChatProvider, type ChatRequest, type ModelSpec, ProviderError } from './provider.js';

export type { LocalModelSettings, ModelSource } from './local-model.js';
export { isLocalModelPath, locateModel } from './local-model.js';

/** What {@link LocalProvider} needs: where models are, whether downloads are allowed. */
export interface LocalProviderOptions extends LocalModelSettings {
  /** The worker script; by default `local-worker.ts` (via tsx) or `local-model-worker.js` beside a bundle. */
  workerUrl?: URL;
}

/**
 * Starts the worker: a sibling `local-model-worker.js` in the server bundle; in development and
 * tests (running from TypeScript source) `local-worker.ts` through tsx's `tsImport`, since loader
 * hooks given in a worker's `execArgv` do not reach it on Node 20 (as the layout runner does).
 */
function startWorker(workerUrl?: URL): Worker {
  if (workerUrl) return new Worker(workerUrl);
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./local-model-worker.js', here));
  const tsxRoot = dirname(createRequire(here).resolve('tsx/package.json'));
  const api = pathToFileURL(join(tsxRoot, 'dist/esm/api/index.mjs')).href;
  const source = `import(${JSON.stringify(api)}).then((tsx) => tsx.tsImport(${JSON.stringify(
    new URL('./local-worker.ts', here).href,
  )}, ${JSON.stringify(here)}))`;
  return new Worker(source, { eval: true });
}

/** The error an aborted call ends with: the signal's reason when it is a ProviderError (a timeout). */
function abortError(signal: AbortSignal): ProviderError {
  const reason: unknown = signal.reason;
  return reason instanceof ProviderError ? reason : new ProviderError('MODEL_ERROR', 'The model call was stopped');
}

/** Replies of one request, waited for one at a time; `fail` ends the wait with an error. */
class ReplyQueue {
  readonly #items: LocalWorkerReply[] = [];
  #error: Error | null = null;
  #wake: (() => void) | null = null;

  push(reply: LocalWorkerReply): void {
    this.#items.push(reply);
    this.#wake?.();
  }

  fail(error: Error): void {
    this.#error ??= error;
    this.#wake?.();
  }

  async next(): Promise<LocalWorkerReply> {
    for (;;) {
      if (this.#error) throw this.#error;
      const item = this.#items.shift();
      if (item) return item;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = null;
    }
  }
}

/**
 * Text generation with transformers.js on onnxruntime-node's CPU build, from a model folder or a
 * Hugging Face hub id (found under `modelsDir` first; fetched only with downloads allowed).
 *
 * Generation runs in ONE worker thread, started on first use and kept, holding each model's
 * pipeline once loaded: a forward pass is hundreds of milliseconds of synchronous native work
 * plus tensor shuffling in JavaScript, which on the server's thread would stall every socket,
 * Yjs room and other participant's stream. Requests queue in the worker and run one at a time,
 * because the CPU, not the thread, is the limit. Aborts travel through a SharedArrayBuffer that
 * the generation loop checks before each step, so they land even while the worker is busy.
 */
export class LocalProvider implements ChatProvider {
  readonly kind = 'local' as const;
  #worker: Worker | null = null;
  #nextId = 1;
  readonly #pending = new Map<number, ReplyQueue>();
  #closed = false;

  constructor(private readonly options: LocalProviderOptions) {}

  async *stream(request: ChatRequest): AsyncIterable<ChatChunk> {
    const { signal } = request;
    if (signal.aborted) throw abortError(signal);
    // Decided here, before any worker or library is involved: an unknown model never reaches the network.
    const source = locateModel(request.model.model, this.options);
    const abort = new SharedArrayBuffer(4);
    const flag = new Int32Array(abort);
    const { id, replies } = this.#open();
    const onAbort = () => {
      Atomics.store(flag, 0, 1);
      replies.fail(abortError(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      this.#post({
        type: 'generate',
        id,
        source,
        messages: request.messages.map(({ role, content }) => ({ role, content })),
        params: { ...request.model.params },
        abort,
      });
      for (;;) {
        const reply = await replies.next();
        if (reply.type === 'token') yield { type: 'token', text: reply.text };
        else if (reply.type === 'done') {
          yield { type: 'done', finishReason: reply.finishReason, usage: reply.usage };
          return;
        } else if (reply.type === 'error') throw new ProviderError(reply.code, reply.message);
      }
    } finally {
      // Also when the caller stops reading early: the worker stops at its next step.
      Atomics.store(flag, 0, 1);
      signal.removeEventListener('abort', onAbort);
      this.#done(id);
    }
  }

  /** Loads a model ahead of its first conversation, so that loading is not on a participant's first token. */
  async preload(spec: Pick<ModelSpec, 'model'>): Promise<void> {
    const source = locateModel(spec.model, this.options);
    const { id, replies } = this.#open();
    try {
      this.#post({ type: 'preload', id, source });
      const reply = await replies.next();
      if (reply.type === 'error') throw new ProviderError(reply.code, reply.message);
    } finally {
      this.#done(id);
    }
  }

  /** Stops the worker; calls still running end with an error. */
  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    this.#worker = null;
    this.#failAll(new ProviderError('MODEL_ERROR', 'The local model provider was shut down'));
    await worker?.terminate();
  }

  #open(): { id: number; replies: ReplyQueue } {
    if (this.#closed) throw new ProviderError('MODEL_ERROR', 'The local model provider was shut down');
    const id = this.#nextId;
    this.#nextId += 1;
    const replies = new ReplyQueue();
    this.#pending.set(id, replies);
    return { id, replies };
  }

  #done(id: number): void {
    this.#pending.delete(id);
    // An idle worker does not keep the process alive; a busy one does.
    if (this.#pending.size === 0) this.#worker?.unref();
  }

  #post(request: LocalWorkerRequest): void {
    const worker = this.#ensureWorker();
    worker.ref();
    worker.postMessage(request);
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker;
    const worker = startWorker(this.options.workerUrl);
    worker.on('message', (reply: LocalWorkerReply) => this.#pending.get(reply.id)?.push(reply));
    const lost = (why: string) => {
      if (this.#worker !== worker) return;
      this.#worker = null;
      this.#failAll(new ProviderError('MODEL_ERROR', `The local model worker stopped: ${why}`));
    };
    worker.on('error', (err) => lost(err.message));
    worker.on('exit', (code) => lost(`exit code ${code}`));
    this.#worker = worker;
    return worker;
  }

  #failAll(error: ProviderError): void {
    for (const replies of this.#pending.values()) replies.fail(error);
  }
}
