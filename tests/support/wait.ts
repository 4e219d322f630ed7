/**
 * Reads `read` every 25 ms until `holds` accepts what it gives, and returns that; fails after `ms`
 * naming `what` and the last value read.
 */
export async function readUntil<T>(
  read: () => Promise<T>,
  holds: (value: T) => boolean,
  what: string,
  ms = 10_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (holds(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Polls `done` every `everyMs` until it holds or `ms` have passed; says which. */
export async function pollUntil(done: () => boolean, ms: number, everyMs = 10): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!done()) {
    if (performance.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return true;
}
