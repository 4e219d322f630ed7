import { codeKey, type GroupCode, rankSuggestions, tallyCodes } from '@calma/core';
import { type Database, findLabels, labelTexts } from '@calma/db';
import type { EmbeddingCache } from '../../affinity/embedding-cache.js';
import type { EventBus } from '../../events/bus.js';

/** A group's codes with their vectors, kept in memory for suggestions. */
interface GroupIndex {
  /** Trimmed spelling → how many labels carry it; merged into codes by `tallyCodes`. */
  readonly spellings: Map<string, number>;
  /** key → unit vector of the code's key text. */
  readonly vectors: Map<string, Float32Array>;
  /** The ranked view, rebuilt when the spellings or vectors changed. */
  view: { codes: GroupCode[]; matrix: Float32Array; dims: number; embedded: Uint8Array } | null;
}

/** How long new labels gather before the index reads them. */
const batchMs = 250;

/**
 * The group's codes for autocomplete: loaded once per group (every label text, merged as
 * agreement merges them, each distinct code embedded through the server's `EmbeddingCache`),
 * then kept up to date from `labels-added` events (only the new labels are read, only new codes
 * embedded) and `label-removed` ones. Every way labels are stored publishes that event (the labels
 * route, transcript and REFI-QDA imports), so the index never needs reloading. A suggestion
 * embeds only the query. Each node keeps its own index, so it follows those events from every
 * node (`everyNode`).
 */
export class CodeIndex {
  private readonly groups = new Map<string, Promise<GroupIndex>>();
  private readonly unsubscribe: (() => void)[];

  constructor(
    private readonly db: Database,
    private readonly embeddings: EmbeddingCache,
    events: EventBus,
    private readonly log: (err: unknown, message: string) => void,
  ) {
    // Not awaited by the publisher's wait: a save never waits for the index. New labels are read
    // in batches (one query for all saved within `batchMs`), not one query per save.
    this.unsubscribe = [
      events.subscribe(
        'labels-added',
        (event) => {
          if (!this.groups.has(event.groupId)) return;
          const ids = this.incoming.get(event.groupId) ?? [];
          ids.push(...event.labelIds);
          this.incoming.set(event.groupId, ids);
          this.timer ??= setTimeout(() => this.flush(), batchMs);
        },
        { everyNode: true },
      ),
      events.subscribe('label-removed', ({ groupId, text }) => this.removed(groupId, text), { everyNode: true }),
    ];
  }

  private readonly incoming = new Map<string, string[]>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  close(): void {
    for (const stop of this.unsubscribe) stop();
    if (this.timer) clearTimeout(this.timer);
  }

  private flush(): void {
    this.timer = null;
    const batches = [...this.incoming];
    this.incoming.clear();
    for (const [groupId, ids] of batches)
      void this.added(groupId, ids).catch((err) => this.log(err, 'code index missed new labels'));
  }

  /** Suggestions for `query` among the group's codes (see `rankSuggestions`). */
  async suggest(groupId: string, query: string, limit: number) {
    const key = codeKey(query);
    if (key === '') return [];
    const index = await this.index(groupId);
    const view = this.view(index);
    // The query alone is embedded, in memory: what people type is not worth a database row.
    const [q] = (await this.embeddings.embedTransient([key])) as [Float32Array];
    return rankSuggestions(query, view.codes, cosines(q, view), limit);
  }

  /** A label's code was removed (its text), so it counts one less. */
  removed(groupId: string, text: string): void {
    const loading = this.groups.get(groupId);
    if (!loading) return;
    void loading.then((index) => {
      const spelling = text.trim();
      const n = index.spellings.get(spelling);
      if (n === undefined) return;
      if (n <= 1) index.spellings.delete(spelling);
      else index.spellings.set(spelling, n - 1);
      index.view = null;
    });
  }

  private index(groupId: string): Promise<GroupIndex> {
    const existing = this.groups.get(groupId);
    if (existing) return existing;
    const loading = this.load(groupId);
    this.groups.set(groupId, loading);
    loading.catch(() => this.groups.delete(groupId));
    return loading;
  }

  private async load(groupId: string): Promise<GroupIndex> {
    const index: GroupIndex = { spellings: new Map(), vectors: new Map(), view: null };
    this.tally(index, await labelTexts(this.db, groupId));
    await this.embedMissing(index);
    return index;
  }

  private tally(index: GroupIndex, texts: readonly string[]): void {
    for (const text of texts) {
      const spelling = text.trim();
      if (spelling !== '') index.spellings.set(spelling, (index.spellings.get(spelling) ?? 0) + 1);
    }
    index.view = null;
  }

  private async embedMissing(index: GroupIndex): Promise<void> {
    const missing = [...new Set([...index.spellings.keys()].map(codeKey))].filter((key) => !index.vectors.has(key));
    if (missing.length === 0) return;
    const { vectors } = await this.embeddings.embed(missing);
    for (const [i, key] of missing.entries()) index.vectors.set(key, vectors[i] as Float32Array);
    index.view = null;
  }

  private async added(groupId: string, labelIds: readonly string[]): Promise<void> {
    const index = await this.groups.get(groupId);
    if (!index) return;
    const rows = [];
    // Chunks keep a burst of imports under the database's bind-parameter limit.
    for (let i = 0; i < labelIds.length; i += 5000)
      rows.push(...(await findLabels(this.db, groupId, labelIds.slice(i, i + 5000))));
    this.tally(
      index,
      rows.map((r) => r.text),
    );
    await this.embedMissing(index);
  }

  private view(index: GroupIndex) {
    if (index.view) return index.view;
    const codes = tallyCodes(index.spellings);
    const dims = index.vectors.values().next().value?.length ?? 0;
    const matrix = new Float32Array(codes.length * dims);
    const embedded = new Uint8Array(codes.length);
    for (const [i, code] of codes.entries()) {
      const vector = index.vectors.get(code.key);
      if (!vector || vector.length !== dims) continue;
      matrix.set(vector, i * dims);
      embedded[i] = 1;
    }
    index.view = { codes, matrix, dims, embedded };
    return index.view;
  }
}

/**
 * The cosine of `q` with every code's vector (all unit length: a dot product). Four running sums
 * let the engine overlap the multiplications: 5,000 codes × 100 dimensions in about a millisecond.
 */
function cosines(
  q: Float32Array,
  view: { codes: readonly unknown[]; matrix: Float32Array; dims: number; embedded: Uint8Array },
) {
  const { matrix, dims, embedded } = view;
  const out = new Float32Array(view.codes.length);
  if (q.length !== dims) return out;
  const query = Array.from(q);
  for (let i = 0, base = 0; i < out.length; i++, base += dims) {
    if (embedded[i] === 0) continue;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let d = 0;
    for (; d + 3 < dims; d += 4) {
      s0 += (query[d] as number) * (matrix[base + d] as number);
      s1 += (query[d + 1] as number) * (matrix[base + d + 1] as number);
      s2 += (query[d + 2] as number) * (matrix[base + d + 2] as number);
      s3 += (query[d + 3] as number) * (matrix[base + d + 3] as number);
    }
    for (; d < dims; d++) s0 += (query[d] as number) * (matrix[base + d] as number);
    out[i] = s0 + s1 + s2 + s3;
  }
  return out;
}
