import { afterAll, describe, expect, it } from 'vitest';
import { computeLayout, type LayoutProgress } from './layout.js';
import { seededRandom } from './random.js';
import { LayoutRunner } from './runner.js';

const runner = new LayoutRunner();
afterAll(() => runner.close());

function randomUnitVectors(n: number, dims: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const out = new Float32Array(n * dims);
  for (let i = 0; i < n; i += 1) {
    let norm = 0;
    for (let d = 0; d < dims; d += 1) {
      const v = random() - 0.5;
      out[i * dims + d] = v;
      norm += v * v;
    }
    for (let d = 0; d < dims; d += 1) out[i * dims + d] = (out[i * dims + d] as number) / Math.sqrt(norm);
  }
  return out;
}

describe('LayoutRunner', () => {
  it('computes in a worker thread what computeLayout computes, reporting progress', async () => {
    const job = { vectors: randomUnitVectors(300, 32, 1), dims: 32, seed: 5 };
    const progress: LayoutProgress[] = [];
    const result = await runner.run({ ...job, vectors: job.vectors.slice() }, (p) => progress.push(p));
    const local = computeLayout(job);
    expect([...result.positions]).toEqual([...local.positions]);
    expect([...result.clusters]).toEqual([...local.clusters]);
    expect(progress.length).toBeGreaterThan(5);
    expect(progress.at(-1)?.fraction).toBe(1);
  });

  it('keeps the event loop free while a big layout runs', async () => {
    const job = { vectors: randomUnitVectors(1500, 64, 2), dims: 64, seed: 1 };
    let ticks = 0;
    let longestGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
      ticks += 1;
    }, 10);
    const started = performance.now();
    await runner.run(job);
    const elapsed = performance.now() - started;
    clearInterval(timer);
    // The layout takes hundreds of milliseconds; the loop ticked all along.
    expect(elapsed).toBeGreaterThan(200);
    expect(ticks).toBeGreaterThan(elapsed / 10 / 4);
    expect(longestGap).toBeLessThan(elapsed / 2);
  });

  it('runs queued layouts one after another', async () => {
    const jobs = [1, 2, 3].map((seed) => ({ vectors: randomUnitVectors(100, 8, seed), dims: 8, seed }));
    const results = await Promise.all(jobs.map((job) => runner.run(job)));
    expect(results.map((r) => r.positions.length)).toEqual([200, 200, 200]);
  });

  it('fails a layout that takes too long and recovers with a new worker', async () => {
    const impatient = new LayoutRunner({ timeoutMs: 500 });
    try {
      await expect(impatient.run({ vectors: randomUnitVectors(3000, 64, 3), dims: 64, seed: 1 })).rejects.toThrow(
        /longer than 500 ms/,
      );
      const small = await impatient.run({ vectors: randomUnitVectors(10, 4, 4), dims: 4, seed: 1 });
      expect(small.positions.length).toBe(20);
    } finally {
      await impatient.close();
    }
  });
});
