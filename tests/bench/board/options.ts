/**
 * The environment knobs of the board benches, read and checked once. A bad value stops the bench
 * with a line saying what was expected.
 */

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

/** A number from `name`, `fallback` when unset. */
export function numberFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name]?.trim();
  const value = raw ? Number(raw) : fallback;
  if (!Number.isFinite(value) || value < min || value > max)
    fail(`${name} must be a number from ${min} to ${max}, got "${raw}"`);
  return value;
}

/** Whole numbers from a comma-separated `name`, `fallback` when unset. */
export function numbersFromEnv(name: string, fallback: readonly number[], min: number, max: number): number[] {
  const raw = process.env[name]?.trim();
  if (!raw) return [...fallback];
  const values = raw.split(',').map(Number);
  if (values.some((v) => !Number.isInteger(v) || v < min || v > max)) {
    fail(`${name} must list whole numbers from ${min} to ${max}, got "${raw}"`);
  }
  return values;
}

/** Some of `allowed` from a comma-separated `name` (all of them when unset), in `allowed`'s order. */
export function namesFromEnv<T extends string>(name: string, allowed: readonly T[]): T[] {
  const raw = process.env[name]?.trim();
  if (!raw) return [...allowed];
  const wanted = raw.split(',').map((s) => s.trim());
  const unknown = wanted.filter((w) => !allowed.includes(w as T));
  if (unknown.length > 0) fail(`${name} must list some of ${allowed.join(', ')}; unknown: ${unknown.join(', ')}`);
  return allowed.filter((a) => wanted.includes(a));
}

/** One of `allowed` from `name`, the first of them when unset. */
export function choiceFromEnv<T extends string>(name: string, allowed: readonly [T, ...T[]]): T {
  const raw = process.env[name]?.trim();
  if (!raw) return allowed[0];
  if (!allowed.includes(raw as T)) fail(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}
