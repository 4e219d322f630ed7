/** The k nearest neighbours of every row, by cosine distance (1 − cos) between unit vectors. */
export interface Neighbours {
  k: number;
  /** n × k row indices, nearest first. */
  indices: Int32Array;
  /** n × k distances, ascending. */
  distances: Float32Array;
}

/**
 * Exact k-nearest neighbours, brute force over the upper triangle (each pair's dot product is
 * computed once and offered to both rows). Exact and deterministic; O(n² d). `onRow` reports progress in pairs compared.
 */
export function nearestNeighbours(
  vectors: Float32Array,
  dims: number,
  k: number,
  onRow?: (done: number, total: number) => void,
): Neighbours {
  const n = vectors.length / dims;
  const indices = new Int32Array(n * k).fill(-1);
  const distances = new Float32Array(n * k).fill(Number.POSITIVE_INFINITY);
  const offer = (row: number, candidate: number, distance: number) => {
    const base = row * k;
    if (distance >= (distances[base + k - 1] ?? 0)) return;
    let slot = k - 1;
    while (slot > 0 && (distances[base + slot - 1] ?? 0) > distance) {
      distances[base + slot] = distances[base + slot - 1] ?? 0;
      indices[base + slot] = indices[base + slot - 1] ?? -1;
      slot -= 1;
    }
    distances[base + slot] = distance;
    indices[base + slot] = candidate;
  };
  // Float64 copy (no conversions in the hot loop). Row i against four rows j at a time: each
  // element of row i is loaded once for four dot products.
  const rows = Float64Array.from(vectors);
  const pair = (i: number, j: number, dot: number) => {
    const distance = Math.max(0, 1 - dot);
    offer(i, j, distance);
    offer(j, i, distance);
  };
  for (let i = 0; i < n; i += 1) {
    const a = i * dims;
    let j = i + 1;
    for (; j + 3 < n; j += 4) {
      const b0 = j * dims;
      const b1 = b0 + dims;
      const b2 = b1 + dims;
      const b3 = b2 + dims;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let d = 0; d < dims; d += 1) {
        const x = rows[a + d] as number;
        s0 += x * (rows[b0 + d] as number);
        s1 += x * (rows[b1 + d] as number);
        s2 += x * (rows[b2 + d] as number);
        s3 += x * (rows[b3 + d] as number);
      }
      pair(i, j, s0);
      pair(i, j + 1, s1);
      pair(i, j + 2, s2);
      pair(i, j + 3, s3);
    }
    for (; j < n; j += 1) {
      const b = j * dims;
      let s0 = 0;
      for (let d = 0; d < dims; d += 1) s0 += (rows[a + d] as number) * (rows[b + d] as number);
      pair(i, j, s0);
    }
    // Row i ends the pairs of the first i + 1 rows: report the share of all pairs done.
    if (onRow && (i % 128 === 127 || i === n - 1)) onRow(((i + 1) * (2 * n - i - 2)) / 2, (n * (n - 1)) / 2);
  }
  return { k, indices, distances };
}
