import { createHash } from 'node:crypto';
import { RecentMap } from '@calma/core';
import { type Database, findEmbeddings, saveEmbeddings } from '@calma/db';
import { createEmbedder, type EmbedderSettings, normalise, type SelectedEmbedder } from '@calma/embeddings';

/** Vectors for texts, with the model that made them. */
export interface Embedded {
  vectors: Float32Array[];
  model: string;
  dims: number;
  /** The configured model, when it could not be loaded and the offline default stood in. */
  fallbackFrom: string | null;
  /** Settles when the new vectors are in the database (already settled unless `background`). */
  saved: Promise<void>;
}

export interface EmbedOptions {
  /**
   * Return the vectors before their rows are written (the caller awaits `saved` later): the
   * affinity map lays out while the cache rows go in. The vectors are remembered in memory at
   * once, so a second call in between does not embed them again.
   */
  background?: boolean;
}

/** Vectors kept in memory: 50,000 × 100 float32 ≈ 20 MB for the offline model. */
const recentLimit = 50_000;

const hashOf = (text: string) => createHash('sha256').update(text).digest('base64url');

/**
 * The server's one way to embed: the configured embedder (loaded on first use, falling back to
 * the offline model with one log line), behind a database cache keyed by (model, SHA-256 of the
 * text), so that no text is embedded twice by the same model.
 */
export class EmbeddingCache {
  private selected: Promise<SelectedEmbedder> | null = null;
  /** Recently used vectors (model + hash → vector), in front of the database. */
  private readonly recent = new RecentMap<string, Float32Array>(recentLimit);

  constructor(
    private readonly db: Database,
    private readonly settings: EmbedderSettings,
    private readonly warn: (line: string) => void = (line) => console.warn(line),
  ) {}

  /** Loads the embedder (once). A fallback is reported once, here. */
  ready(): Promise<SelectedEmbedder> {
    if (!this.selected) {
      this.selected = createEmbedder(this.settings).then((selected) => {
        if (selected.fallbackReason)
          this.warn(
            `Embeddings: ${selected.fallbackReason}; using the offline model ${selected.embedder.model} instead`,
          );
        return selected;
      });
      this.selected.catch(() => {
        this.selected = null;
      });
    }
    return this.selected;
  }

  /** The model in use, and the configured one when the offline default stands in for it. */
  async describe(): Promise<{ model: string; fallbackFrom: string | null }> {
    const selected = await this.ready();
    return { model: selected.embedder.model, fallbackFrom: this.fallbackFrom(selected) };
  }

  /** One unit vector per text (in order); cached ones come from the database. */
  async embed(texts: readonly string[], options: EmbedOptions = {}): Promise<Embedded> {
    const selected = await this.ready();
    const { embedder } = selected;
    // The cache's model key: the same model after a change in how it reads text is another model.
    const cacheModel = embedder.revision ? `${embedder.model}@${embedder.revision}` : embedder.model;
    const unique = [...new Set(texts)];
    const hashes = new Map(unique.map((t) => [t, hashOf(t)]));
    const cached = new Map<string, Float32Array>();
    for (const hash of hashes.values()) {
      const vector = this.recent.get(`${cacheModel}\n${hash}`);
      if (vector) cached.set(hash, vector);
    }
    const unknown = [...hashes.values()].filter((h) => !cached.has(h));
    if (unknown.length > 0)
      for (const [hash, vector] of await findEmbeddings(this.db, cacheModel, unknown)) cached.set(hash, vector);
    const missing = unique.filter((t) => !cached.has(hashes.get(t) as string));
    let saved: Promise<void> = Promise.resolve();
    if (missing.length > 0) {
      const fresh = await embedder.embed(missing);
      const rows = missing.map((t, i) => ({ textHash: hashes.get(t) as string, vector: fresh[i] as Float32Array }));
      saved = saveEmbeddings(this.db, cacheModel, rows).then(() => undefined);
      // Not an unhandled rejection while nobody awaits it yet; the awaiting caller gets the error.
      saved.catch(() => undefined);
      if (!options.background) await saved;
      for (const row of rows) cached.set(row.textHash, row.vector);
    }
    for (const [hash, vector] of cached) this.remember(`${cacheModel}\n${hash}`, vector);
    return {
      vectors: texts.map((t) => cached.get(hashes.get(t) as string) as Float32Array),
      model: embedder.model,
      dims: embedder.dims,
      fallbackFrom: this.fallbackFrom(selected),
      saved,
    };
  }

  /**
   * One unit vector per text without the database: for short-lived texts (what someone is typing
   * into a search field) that are not worth a row each. Vectors already in memory are reused;
   * those computed here are not kept (the offline model embeds a short text in microseconds).
   */
  async embedTransient(texts: readonly string[]): Promise<Float32Array[]> {
    const { embedder } = await this.ready();
    const cacheModel = embedder.revision ? `${embedder.model}@${embedder.revision}` : embedder.model;
    const keys = texts.map((t) => `${cacheModel}\n${hashOf(t)}`);
    const missing = [...new Set(texts.filter((_, i) => !this.recent.has(keys[i] as string)))];
    const fresh = missing.length > 0 ? await embedder.embed(missing) : [];
    const made = new Map(missing.map((t, i) => [t, fresh[i] as Float32Array]));
    // Not remembered: `embed` of the same text later still stores its row.
    return texts.map((t, i) => this.recent.get(keys[i] as string) ?? (made.get(t) as Float32Array));
  }

  private fallbackFrom(selected: SelectedEmbedder): string | null {
    return selected.fallbackReason ? (this.settings.model ?? null) : null;
  }

  private remember(key: string, vector: Float32Array): void {
    this.recent.set(key, vector);
  }

  /**
   * Vectors for short items with an optional longer detail (a label and its annotation, an
   * attribute and its definition): the name's vector plus half the detail's, normalised, so the
   * detail adds meaning without drowning a one-word name.
   */
  async embedItems(
    items: readonly { text: string; detail?: string | null }[],
    options: EmbedOptions = {},
  ): Promise<Embedded> {
    const details = items.map((item) => item.detail?.trim() ?? '');
    const embedded = await this.embed([...items.map((item) => item.text), ...details.filter((d) => d !== '')], options);
    let next = items.length;
    const vectors = items.map((_, i) => {
      const own = embedded.vectors[i] as Float32Array;
      if (details[i] === '') return own;
      const detail = embedded.vectors[next++] as Float32Array;
      return normalise(Float32Array.from(own, (v, d) => v + 0.5 * (detail[d] as number)));
    });
    return { ...embedded, vectors };
  }
}
