import { readFileSync } from 'node:fs';
import { neighbourGroups } from '@calma/embeddings';

/**
 * `n` realistic labels: the CALMA pilot's, the neighbour check's, and variants of them in the
 * shapes participants write ("bias to X", "too dry", "not factual enough", "X viewpoint").
 */
export function realisticLabels(n: number): string[] {
  const pilot = JSON.parse(
    readFileSync(new URL('../../apps/server/src/seed/pilot/labels.json', import.meta.url), 'utf8'),
  ) as Record<string, Record<string, string[]> | string>;
  const base = [
    ...Object.values(pilot).flatMap((g) => (typeof g === 'object' ? Object.values(g).flat() : [])),
    ...Object.values(neighbourGroups).flat(),
  ];
  const targets = ['Britain', 'Americans', 'natives', 'Hindus', 'Muslims', 'the west', 'colonisers', 'students'];
  const shapes = [
    (b: string) => b,
    (b: string) => `too ${b}`,
    (b: string) => `not ${b} enough`,
    (b: string) => `${b} answer`,
    (b: string, t: string) => `${b} towards ${t}`,
    (b: string, t: string) => `${b} about ${t}`,
    (b: string) => `somewhat ${b}`,
    (b: string) => `${b} in places`,
    (b: string) => `very ${b}`,
    (b: string, t: string) => `${t} viewpoint, ${b}`,
  ];
  const out: string[] = [];
  for (let i = 0; out.length < n; i += 1) {
    const b = (base[i % base.length] as string).toLowerCase();
    const round = Math.floor(i / base.length);
    const shape = shapes[round % shapes.length] as (b: string, t: string) => string;
    const target = targets[Math.floor(round / shapes.length) % targets.length] as string;
    const label = shape(b, target);
    out.push(round >= shapes.length * targets.length ? `${label} (${round})` : label);
  }
  return out;
}
