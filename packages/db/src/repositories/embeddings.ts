import { and, eq, inArray } from 'drizzle-orm';
import type { Database } from '../client.js';
import { type AffinityMapCluster, type AffinityMapPoint, affinityMaps, embeddings } from '../schema.js';

// Rows per statement: well under PostgreSQL's 65,535 bind parameters.
const chunk = 1000;

function toBytes(vector: Float32Array): Uint8Array {
  return new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength);
}

function toVector(bytes: Uint8Array): Float32Array {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

/** Cached vectors of `model` for the given text hashes (those not cached are absent). */
export async function findEmbeddings(
  db: Database,
  model: string,
  hashes: readonly string[],
): Promise<Map<string, Float32Array>> {
  const found = new Map<string, Float32Array>();
  for (let start = 0; start < hashes.length; start += chunk) {
    const rows = await db
      .select({ textHash: embeddings.textHash, vector: embeddings.vector })
      .from(embeddings)
      .where(and(eq(embeddings.model, model), inArray(embeddings.textHash, hashes.slice(start, start + chunk))));
    for (const row of rows) found.set(row.textHash, toVector(row.vector));
  }
  return found;
}

/** Caches vectors of `model`; a hash cached meanwhile (by a concurrent request) is kept. */
export async function saveEmbeddings(
  db: Database,
  model: string,
  rows: readonly { textHash: string; vector: Float32Array }[],
): Promise<void> {
  for (let start = 0; start < rows.length; start += chunk) {
    await db
      .insert(embeddings)
      .values(
        rows.slice(start, start + chunk).map((r) => ({
          model,
          textHash: r.textHash,
          dims: r.vector.length,
          vector: toBytes(r.vector),
        })),
      )
      .onConflictDoNothing();
  }
}

export interface AffinityMapRecord {
  sessionId: string;
  model: string;
  dims: number;
  seed: number;
  include: string[];
  points: AffinityMapPoint[];
  clusters: AffinityMapCluster[];
  ms: number;
  createdAt: Date;
}

/** Records a session's latest affinity map, replacing the previous one. */
export async function saveAffinityMap(db: Database, map: Omit<AffinityMapRecord, 'createdAt'>): Promise<void> {
  await db
    .insert(affinityMaps)
    .values(map)
    .onConflictDoUpdate({ target: affinityMaps.sessionId, set: { ...map, createdAt: new Date() } });
}

export async function findAffinityMap(db: Database, sessionId: string): Promise<AffinityMapRecord | null> {
  const [row] = await db.select().from(affinityMaps).where(eq(affinityMaps.sessionId, sessionId));
  return row ?? null;
}
