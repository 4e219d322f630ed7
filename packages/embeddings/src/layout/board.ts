/**
 * From layout coordinates to board coordinates: cards are rectangles of `card` size, and cards
 * that UMAP put on top of each other are pushed apart until none overlap (or the budget of
 * passes runs out), moving each as little as possible. Deterministic.
 */
export interface CardBox {
  width: number;
  height: number;
  /** Space kept between neighbouring cards. */
  gap: number;
}

export const defaultCardBox: CardBox = { width: 200, height: 96, gap: 16 };

/**
 * Scales the layout so that it spans about √n cards per side, with its top-left corner at
 * `origin`, then removes overlaps. Returns board positions (n × 2, x then y).
 */
export function toBoard(
  layout: Float64Array,
  box: CardBox = defaultCardBox,
  origin = { x: 40, y: 40 },
  passes = 60,
): Float32Array {
  const n = layout.length / 2;
  const out = new Float32Array(layout.length);
  if (n === 0) return out;
  const xs = Array.from({ length: n }, (_, i) => layout[i * 2] as number).sort((p, q) => p - q);
  const ys = Array.from({ length: n }, (_, i) => layout[i * 2 + 1] as number).sort((p, q) => p - q);
  const q = (sorted: number[], f: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(f * (sorted.length - 1)))] as number;
  const spanX = q(xs, 0.98) - q(xs, 0.02) || 1;
  const spanY = q(ys, 0.98) - q(ys, 0.02) || 1;
  const side = Math.ceil(Math.sqrt(n)) * 1.3;
  const sx = (side * (box.width + box.gap)) / spanX;
  const sy = (side * (box.height + box.gap)) / spanY;
  for (let i = 0; i < n; i += 1) {
    out[i * 2] = ((layout[i * 2] as number) - q(xs, 0.02)) * sx;
    out[i * 2 + 1] = ((layout[i * 2 + 1] as number) - q(ys, 0.02)) * sy;
  }
  removeOverlaps(out, box, passes);
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i += 1) {
    minX = Math.min(minX, out[i * 2] as number);
    minY = Math.min(minY, out[i * 2 + 1] as number);
  }
  for (let i = 0; i < n; i += 1) {
    out[i * 2] = Math.round((out[i * 2] as number) - minX + origin.x);
    out[i * 2 + 1] = Math.round((out[i * 2 + 1] as number) - minY + origin.y);
  }
  return out;
}

/** Pushes overlapping boxes apart along the axis of least overlap; a spatial hash finds pairs. */
function removeOverlaps(positions: Float32Array, box: CardBox, passes: number): number {
  const n = positions.length / 2;
  const w = box.width + box.gap;
  const h = box.height + box.gap;
  let overlaps = 0;
  for (let pass = 0; pass < passes; pass += 1) {
    const cells = new Map<string, number[]>();
    for (let i = 0; i < n; i += 1) {
      const key = `${Math.floor((positions[i * 2] as number) / w)},${Math.floor((positions[i * 2 + 1] as number) / h)}`;
      const cell = cells.get(key);
      if (cell) cell.push(i);
      else cells.set(key, [i]);
    }
    overlaps = 0;
    for (let i = 0; i < n; i += 1) {
      const cx = Math.floor((positions[i * 2] as number) / w);
      const cy = Math.floor((positions[i * 2 + 1] as number) / h);
      for (let gx = cx - 1; gx <= cx + 1; gx += 1) {
        for (let gy = cy - 1; gy <= cy + 1; gy += 1) {
          for (const j of cells.get(`${gx},${gy}`) ?? []) {
            if (j <= i) continue;
            const dx = (positions[j * 2] as number) - (positions[i * 2] as number);
            const dy = (positions[j * 2 + 1] as number) - (positions[i * 2 + 1] as number);
            const ox = w - Math.abs(dx);
            const oy = h - Math.abs(dy);
            if (ox <= 0 || oy <= 0) continue;
            overlaps += 1;
            // Separate along the cheaper axis; equal positions split by index, deterministically.
            if (ox / w < oy / h) {
              const push = (ox / 2) * (dx > 0 || (dx === 0 && j > i) ? 1 : -1);
              positions[i * 2] = (positions[i * 2] as number) - push;
              positions[j * 2] = (positions[j * 2] as number) + push;
            } else {
              const push = (oy / 2) * (dy > 0 || (dy === 0 && j > i) ? 1 : -1);
              positions[i * 2 + 1] = (positions[i * 2 + 1] as number) - push;
              positions[j * 2 + 1] = (positions[j * 2 + 1] as number) + push;
            }
          }
        }
      }
    }
    if (overlaps === 0) break;
  }
  return overlaps;
}
