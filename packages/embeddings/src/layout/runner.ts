import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LayoutJob, LayoutProgress, LayoutResult } from './layout.js';

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'progress'; progress: LayoutProgress }
  | { type: 'done'; result: LayoutResult }
  | { type: 'error'; message: string };

export interface LayoutRunnerOptions {
  /** The worker script; by default `worker.ts` beside this file (via tsx) or `layout-worker.js` in a bundle. */
  workerUrl?: URL;
  /** A layout taking longer (from when the worker is ready) is abandoned and its worker replaced. */
  timeoutMs?: number;
}

interface Pending {
  job: LayoutJob;
  onProgress?: (progress: LayoutProgress) => void;
  resolve: (result: LayoutResult) => void;
  reject: (error: Error) => void;
}

/**
 * Starts the worker: a sibling `layout-worker.js` in the server bundle; in development and tests
 * (running from TypeScript source) `worker.ts` through tsx's `tsImport`, since loader hooks given
 * in a worker's `execArgv` do not reach it on Node 20.
 */
function startWorker(): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./layout-worker.js', here));
  // tsx's `./esm/api` export, import condition (require.resolve would give the CommonJS one).
  const tsxRoot = dirname(createRequire(here).resolve('tsx/package.json'));
  const api = pathToFileURL(join(tsxRoot, 'dist/esm/api/index.mjs')).href;
  const source = `import(${JSON.stringify(api)}).then((tsx) => tsx.tsImport(${JSON.stringify(
    new URL('./worker.ts', here).href,
  )}, ${JSON.stringify(here)}))`;
  return new Worker(source, { eval: true });
}

/**
 * Runs layouts in a worker thread, one at a time (a second waits its turn), so the event loop
 * keeps serving requests, sockets and other sessions while a big map is fitted. The worker is
 * started on first use and kept; a crash or a timeout replaces it.
 */
export class LayoutRunner {
  private worker: Worker | null = null;
  /** Whether the current worker has loaded its code (a job's clock starts then). */
  private ready = false;
  private readonly queue: Pending[] = [];
  private current: { pending: Pending; timer: NodeJS.Timeout | null } | null = null;
  private closed = false;

  constructor(private readonly options: LayoutRunnerOptions = {}) {}

  run(job: LayoutJob, onProgress?: (progress: LayoutProgress) => void): Promise<LayoutResult> {
    if (this.closed) return Promise.reject(new Error('layout runner is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ job, onProgress, resolve, reject });
      this.next();
    });
  }

  /** Starts the worker ahead of the first layout, so that its start-up is off the first map's path. */
  warm(): void {
    if (!this.closed) this.ensureWorker();
  }

  /** Layouts waiting behind the running one. */
  get waiting(): number {
    return this.queue.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) pending.reject(new Error('layout runner closed'));
    const worker = this.worker;
    this.worker = null;
    this.fail(new Error('layout runner closed'));
    await worker?.terminate();
  }

  private next(): void {
    if (this.current || this.closed) return;
    const pending = this.queue.shift();
    if (!pending) return;
    const worker = this.ensureWorker();
    this.current = { pending, timer: null };
    if (this.ready) this.startClock(worker);
    worker.postMessage(pending.job);
  }

  /** Starts the current job's clock: from now on, it has `timeoutMs`. */
  private startClock(worker: Worker): void {
    const current = this.current;
    if (!current || current.timer) return;
    const limit = this.options.timeoutMs ?? 120_000;
    current.timer = setTimeout(() => this.discard(worker, new Error(`layout took longer than ${limit} ms`)), limit);
    current.timer.unref();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = this.options.workerUrl ? new Worker(this.options.workerUrl) : startWorker();
    worker.unref();
    this.ready = false;
    worker.on('message', (message: WorkerReply) => {
      if (message.type === 'ready') {
        if (this.worker !== worker) return;
        this.ready = true;
        this.startClock(worker);
        return;
      }
      const current = this.current;
      if (!current) return;
      if (message.type === 'progress') current.pending.onProgress?.(message.progress);
      else if (message.type === 'done') this.settle(() => current.pending.resolve(message.result));
      else this.settle(() => current.pending.reject(new Error(message.message)));
    });
    worker.on('error', (err) => this.discard(worker, err));
    worker.on('exit', () => this.discard(worker, new Error('layout worker exited')));
    this.worker = worker;
    return worker;
  }

  private settle(done: () => void): void {
    if (this.current?.timer) clearTimeout(this.current.timer);
    this.current = null;
    done();
    this.next();
  }

  /** Drops a worker that failed or hangs (the next job gets a new one) and fails its job. */
  private discard(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = null;
    void worker.terminate();
    this.fail(error);
  }

  private fail(error: Error): void {
    const current = this.current;
    if (!current) return;
    this.settle(() => current.pending.reject(error));
  }
}
