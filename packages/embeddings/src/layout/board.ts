/**
 * From layout coordinates to board coordinates: cards are rectangles of `card` size, each put on
 * its own cell of a card-sized grid as near as it can be to where UMAP put it, so that none
 * overlap. Deterministic.
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
 * `origin`, then gives every card its own grid cell (no overlaps). Returns board positions (n × 2, x then y).
 */
export function toBoard(layout: Float64Array, box: CardBox = defaultCardBox, origin = { x: 40, y: 40 }): Float32Array {
  const n = layout.length / 2;
  const out = new Float32Array(layout.length);
  if (n === 0) return out;
  const xs = Float64Array.from({ length: n }, (_, i) => layout[i * 2] as number).sort();
  const ys = Float64Array.from({ length: n }, (_, i) => layout[i * 2 + 1] as number).sort();
  const q = (sorted: Float64Array, f: number) =>
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
  snapToGrid(out, box);
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

/**
 * Puts every card on its own cell of a card-sized grid (card + gap), as near as it can to where
 * the layout put it: cards nearest the layout's middle choose first, each taking the free cell
 * nearest its own position (rings of cells around it, searched until no nearer cell can be
 * free). No two cards overlap afterwards, whatever the density; a pairwise push, as before, left
 * thousands of overlapping pairs in the dense clusters of a 2,000-label map after 60 passes.
 * Deterministic (ties by index). `positions` is rewritten in place.
 */
function snapToGrid(positions: Float32Array, box: CardBox): void {
  const n = positions.length / 2;
  const w = box.width + box.gap;
  const h = box.height + box.gap;
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < n; i += 1) {
    cx += (positions[i * 2] as number) / n;
    cy += (positions[i * 2 + 1] as number) / n;
  }
  const centre = new Float64Array(n);
  for (let i = 0; i < n; i += 1)
    centre[i] = Math.hypot(((positions[i * 2] as number) - cx) / w, ((positions[i * 2 + 1] as number) - cy) / h);
  const order = Int32Array.from({ length: n }, (_, i) => i).sort(
    (p, q) => (centre[p] as number) - (centre[q] as number) || p - q,
  );
  // Occupied cells by key gx · stride + gy (exact in doubles for any board).
  const stride = 2 ** 24;
  const taken = new Set<number>();
  for (const i of order) {
    const x = (positions[i * 2] as number) / w;
    const y = (positions[i * 2 + 1] as number) / h;
    const gx = Math.round(x);
    const gy = Math.round(y);
    let bestX = gx;
    let bestY = gy;
    let best = Number.POSITIVE_INFINITY;
    // Ring r holds the cells at Chebyshev distance r; no cell of ring r is nearer than (r − ½)
    // cells along its axis, so the search stops once that bound passes the best distance.
    for (let r = 0; ; r += 1) {
      const bound = Math.max(0, r - 0.5) * Math.min(w, h);
      if (bound * bound > best) break;
      for (let ix = gx - r; ix <= gx + r; ix += 1) {
        const edge = ix === gx - r || ix === gx + r;
        for (let iy = gy - r; iy <= gy + r; iy += edge ? 1 : 2 * r) {
          if (taken.has(ix * stride + iy)) continue;
          const dx = (ix - x) * w;
          const dy = (iy - y) * h;
          const d = dx * dx + dy * dy;
          if (d < best) {
            best = d;
            bestX = ix;
            bestY = iy;
          }
          if (r === 0) break;
        }
      }
    }
    taken.add(bestX * stride + bestY);
    positions[i * 2] = bestX * w;
    positions[i * 2 + 1] = bestY * h;
  }
}
