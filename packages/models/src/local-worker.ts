import { parentPort } from 'node:worker_threads';
import type { TextGenerationPipeline } from '@huggingface/transformers';
import { generateAnswer, type LocalWorkerReply, type LocalWorkerRequest, loadPipeline } from './local-generate.js';
import type { ModelSource } from './local-model.js';

/**
 * The local model worker: loads each model once and keeps it, and answers one request at a time
 * (the CPU is the limit; two answers at once would each come at half speed and both late).
 */
if (!parentPort) throw new Error('local-worker.ts runs as a worker thread');
const port = parentPort;

const pipelines = new Map<string, Promise<TextGenerationPipeline>>();
const queue: LocalWorkerRequest[] = [];
let running = false;

const send = (reply: LocalWorkerReply) => port.postMessage(reply);

function pipelineFor(source: ModelSource): Promise<TextGenerationPipeline> {
  const key = `${source.root}\0${source.name}`;
  let loading = pipelines.get(key);
  if (!loading) {
    loading = loadPipeline(source);
    pipelines.set(key, loading);
    // A failed load is forgotten, so that the model is tried again once someone has put it in place.
    loading.catch(() => pipelines.delete(key));
  }
  return loading;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}

async function handle(request: LocalWorkerRequest): Promise<void> {
  let generator: TextGenerationPipeline;
  try {
    generator = await pipelineFor(request.source);
  } catch (err) {
    send({
      type: 'error',
      id: request.id,
      code: 'MODEL_UNKNOWN',
      message: `The local model ${request.source.label} could not be loaded: ${firstLine(err)}`,
    });
    return;
  }
  if (request.type === 'preload') {
    send({ type: 'loaded', id: request.id });
    return;
  }
  const flag = new Int32Array(request.abort);
  // A request aborted while it waited its turn is dropped unstarted.
  if (Atomics.load(flag, 0) !== 0) return;
  try {
    await generateAnswer(
      generator,
      request,
      () => Atomics.load(flag, 0) !== 0,
      (reply) => send({ ...reply, id: request.id }),
    );
  } catch (err) {
    send({ type: 'error', id: request.id, code: 'MODEL_ERROR', message: `The local model failed: ${firstLine(err)}` });
  }
}

async function drain(): Promise<void> {
  if (running) return;
  running = true;
  try {
    for (let next = queue.shift(); next; next = queue.shift()) await handle(next);
  } finally {
    running = false;
  }
}

port.on('message', (request: LocalWorkerRequest) => {
  queue.push(request);
  void drain();
});
