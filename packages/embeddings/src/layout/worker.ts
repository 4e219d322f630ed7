/** Worker-thread entry: computes one layout per message, reporting progress as it goes. */
import { parentPort } from 'node:worker_threads';
import { computeLayout, type LayoutJob } from './layout.js';
import type { WorkerReply } from './runner.js';

const port = parentPort;
if (!port) throw new Error('layout worker: run me in a worker thread');
port.on('message', (job: LayoutJob) => {
  const reply = (message: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
  try {
    let last = -1;
    const result = computeLayout(job, (progress) => {
      // At most ~100 progress messages per layout.
      const percent = Math.floor(progress.fraction * 100);
      if (percent === last) return;
      last = percent;
      reply({ type: 'progress', progress });
    });
    reply({ type: 'done', result }, [result.positions.buffer as ArrayBuffer, result.clusters.buffer as ArrayBuffer]);
  } catch (err) {
    reply({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
});

// Loaded and listening: the runner starts a job's clock from here.
port.postMessage({ type: 'ready' } satisfies WorkerReply);
