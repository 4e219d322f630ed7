import { contentWords, nameOf, suggestMatches, wordCounts } from '@calma/core';
import { type AffinityMapRecord, type Database, findAffinityMap, listLabels, saveAffinityMap } from '@calma/db';
import { axisSimilarity, type LayoutRunner, Placer, stack } from '@calma/embeddings';
import {
  type AffinityMapBody,
  type AffinityMapResponse,
  ErrorCode,
  type GroupSummary,
  type MapInclude,
  type MapProgress,
  type SummaryTopic,
} from '@calma/protocol';
import { type Card, CardKind, cardDetail } from '@calma/protocol/board';
import type * as Y from 'yjs';
import type { ClaimLease, ReleaseLease } from '../cluster/leases.js';
import { AppError, conflict, notFound } from '../errors.js';
import type { EventBus } from '../events/bus.js';
import { type CardPosition, type LabelForBoard, readBoardCards } from '../realtime/yjs/cards.js';
import { visibleInteractions } from '../routes/transcripts/visible.js';
import type { EmbeddingCache } from './embedding-cache.js';

/** What the affinity map needs: the database, the event bus, the board's cards, embeddings and layouts. */
export interface AffinityContext {
  readonly db: Database;
  /** Progress, the computed map (the board writes it) and the outcome are published here. */
  readonly events: EventBus;
  /** A session's board cards as they are now. */
  readonly cards: (sessionId: string) => Promise<Card[]>;
  readonly embeddings: EmbeddingCache;
  readonly runner: LayoutRunner;
  /** Most cards one map lays out (`CALMA_MAP_MAX_CARDS`). */
  readonly maxCards: number;
  /**
   * Several nodes: a session's map is computed on one node at a time (a second request, on any
   * node, is refused as on one node). Absent on one node, where `running` is enough.
   */
  readonly lease?: ClaimLease;
}

const defaultInclude: MapInclude[] = ['labels', 'attributes'];
const defaultSeed = 42;
/** Labels added at once beyond this go on the grid: recompute the map for them. */
const incrementalLimit = 500;

function toResponse(record: AffinityMapRecord, fallbackFrom: string | null): AffinityMapResponse {
  return {
    points: record.points,
    clusters: record.clusters,
    model: record.model,
    fallbackFrom,
    dims: record.dims,
    seed: record.seed,
    include: record.include as MapInclude[],
    ms: record.ms,
    createdAt: record.createdAt.toISOString(),
  };
}

/**
 * The affinity map and everything else that reads meaning from text: laying out a session's
 * cards by their embeddings (in the layout worker), placing labels added later near their
 * neighbours, the group summary's topics and the segment-1 mapping suggestions. Suggestions
 * only: positions and clusters go into the board, where people move cards as they like.
 */
export class AffinityService {
  private readonly running = new Set<string>();

  constructor(private readonly context: AffinityContext) {}

  /**
   * Lays out a session's board cards by meaning and writes the positions into the board. The
   * caller has loaded the session (and checked access).
   */
  async computeMap(sessionId: string, body: AffinityMapBody): Promise<AffinityMapResponse> {
    const started = performance.now();
    const busy = () => conflict('An affinity map is being computed for this session; wait for it to finish');
    if (this.running.has(sessionId)) throw busy();
    this.running.add(sessionId);
    let release: ReleaseLease | null = null;
    try {
      if (this.context.lease) {
        release = await this.context.lease(`affinity-map:${sessionId}`);
        // Held by another node (or Redis is away, when a lease cannot be told apart from none).
        if (!release) throw busy();
      }
      const include = body.include ?? defaultInclude;
      const seed = body.seed ?? defaultSeed;
      const kinds = new Set<string>(include.map((i) => (i === 'labels' ? CardKind.label : CardKind.attribute)));
      let lap = performance.now();
      const timings = { boardMs: 0, embeddingMs: 0, layoutMs: 0, writeMs: 0 };
      const split = (key: keyof typeof timings) => {
        const now = performance.now();
        timings[key] = Math.round(now - lap);
        lap = now;
      };
      const cards = (await this.context.cards(sessionId)).filter((card) => kinds.has(card.kind) && card.text !== '');
      split('boardMs');
      if (cards.length > this.context.maxCards)
        throw new AppError(
          413,
          ErrorCode.payloadTooLarge,
          `The board has ${cards.length} cards to lay out; one map lays out at most ${this.context.maxCards} (CALMA_MAP_MAX_CARDS)`,
        );
      const progress = (stage: MapProgress['stage'], fraction: number) =>
        this.context.events.notify({ type: 'map-progress', progress: { sessionId, stage, fraction } });
      progress('embedding', 0);
      // The new vectors' cache rows are written while the worker lays them out.
      const embedded = await this.context.embeddings.embedItems(
        cards.map((c) => ({ text: c.text, detail: cardDetail(c) })),
        { background: true },
      );
      const { dims } = embedded;
      const vectors = stack(embedded.vectors, dims);
      split('embeddingMs');
      const [layout] = await Promise.all([
        this.context.runner.run({ vectors, dims, seed }, (p) => progress(p.stage, p.fraction)),
        embedded.saved,
      ]);
      split('layoutMs');
      const members = new Map<number, string[]>();
      cards.forEach((card, i) => {
        const id = layout.clusters[i] as number;
        members.set(id, [...(members.get(id) ?? []), card.text]);
      });
      const clusters = [...members.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([id, texts]) => ({ id, name: nameOf(texts), size: texts.length }));
      const points = cards.map((card, i) => ({
        cardId: card.id,
        ...(card.labelId ? { labelId: card.labelId } : {}),
        ...(card.segment1AttributeId ? { segment1AttributeId: card.segment1AttributeId } : {}),
        x: layout.positions[i * 2] as number,
        y: layout.positions[i * 2 + 1] as number,
        clusterId: layout.clusters[i] as number,
      }));
      // The board writes the layout as a subscriber; a full board fails the publication (413).
      if (points.length > 0) await this.context.events.publish({ type: 'map-computed', sessionId, points, clusters });
      const record = {
        sessionId,
        model: embedded.model,
        dims,
        seed,
        include,
        points,
        clusters,
        ms: Math.round(performance.now() - started),
      };
      await saveAffinityMap(this.context.db, record);
      split('writeMs');
      this.context.events.notify({
        type: 'map-done',
        sessionId,
        model: record.model,
        cards: points.length,
        ms: record.ms,
      });
      return { ...toResponse({ ...record, createdAt: new Date() }, embedded.fallbackFrom), timings };
    } catch (err) {
      const message = err instanceof AppError ? err.message : 'The affinity map could not be computed';
      this.context.events.notify({ type: 'map-failed', sessionId, message });
      throw err;
    } finally {
      release?.();
      this.running.delete(sessionId);
    }
  }

  /** The session's latest map, or 404 (the caller has loaded the session). */
  async latestMap(sessionId: string): Promise<AffinityMapResponse> {
    const record = await findAffinityMap(this.context.db, sessionId);
    if (!record) throw notFound('Affinity map');
    const current = await this.context.embeddings.describe();
    return toResponse(record, record.model === current.model ? current.fallbackFrom : null);
  }

  /**
   * Positions for labels added after a map exists: each beside its nearest label cards as they
   * are now (people may have moved them), without refitting. Null when the session has no map.
   */
  async placeNewLabels(
    sessionId: string,
    board: Y.Doc,
    labels: readonly LabelForBoard[],
  ): Promise<ReadonlyMap<string, CardPosition> | null> {
    if (!(await findAffinityMap(this.context.db, sessionId))) return null;
    // A bulk import into a mapped board is a job for a new map, not for card-by-card placement.
    if (labels.length > incrementalLimit) return null;
    const onBoard = readBoardCards(board);
    const labelCards = onBoard.filter((c) => c.kind === CardKind.label && c.text !== '');
    const embedded = await this.context.embeddings.embedItems([
      ...labelCards.map((c) => ({ text: c.text, detail: cardDetail(c) })),
      ...labels.map((l) => ({ text: l.text, detail: l.annotation })),
    ]);
    const placer = new Placer(
      labelCards.map((c, i) => ({
        vector: embedded.vectors[i] as Float32Array,
        x: c.x,
        y: c.y,
        // People's own groups have string ids; only the map's numbered clusters vote.
        clusterId: typeof c.clusterId === 'number' ? c.clusterId : null,
      })),
      { occupied: onBoard },
    );
    const positions = new Map<string, CardPosition>();
    labels.forEach((label, i) => {
      const spot = placer.place(embedded.vectors[labelCards.length + i] as Float32Array);
      positions.set(label.id, { x: spot.x, y: spot.y, clusterId: spot.clusterId });
    });
    return positions;
  }

  /**
   * Each segment-1 attribute's closest final attribute by axis similarity (word alignment over
   * name and definition, poles matched; see `axisSimilarity`).
   */
  async suggestMapping(
    segment1: readonly { id: string; name: string; definition: string }[],
    finals: readonly { id: string; name: string; definition: string }[],
  ): Promise<{ suggested: ReturnType<typeof suggestMatches>; suggestedBy: string }> {
    const wordsOf = (a: { name: string; definition: string }) => {
      const words = contentWords(`${a.name} ${a.definition}`);
      return words.length > 0 ? words : [a.name];
    };
    const all = [...segment1, ...finals].map(wordsOf);
    const unique = [...new Set(all.flat())];
    const embedded = await this.context.embeddings.embed(unique);
    const vectorOf = new Map(unique.map((w, i) => [w, embedded.vectors[i] as Float32Array]));
    const vectors = (i: number) => (all[i] ?? []).map((w) => vectorOf.get(w) as Float32Array);
    const suggested = suggestMatches(
      segment1.map((a, i) => ({ id: a.id, value: vectors(i) })),
      finals.map((f, i) => ({ id: f.id, value: vectors(segment1.length + i) })),
      (a, b) => Math.round(axisSimilarity(a, b) * 1e4) / 1e4,
    );
    return { suggested, suggestedBy: embedded.model };
  }

  /**
   * The group summary: a word cloud of its labels (plain counts, stop words out) and the topics
   * it explored: clusters of the interactions' user turns when there are any, else of its labels.
   */
  async summary(groupId: string): Promise<GroupSummary> {
    const [labels, interactions] = await Promise.all([
      listLabels(this.context.db, groupId),
      // Topics are seen by every member: unshared chats stay out, shared ones are masked.
      visibleInteractions(this.context.db, groupId, 'others'),
    ]);
    const wordCloud = wordCounts(labels.map((l) => l.text));
    const turns = interactions.flatMap((interaction) =>
      interaction.messages
        .filter((m) => m.role === 'user' && m.content.trim() !== '')
        .map((m) => ({ interactionId: interaction.id, text: m.content })),
    );
    const items: { text: string; detail: string | null; interactionId: string | null; labelId: string | null }[] =
      turns.length > 0
        ? turns.map((t) => ({ text: t.text, detail: null, interactionId: t.interactionId, labelId: null }))
        : labels.map((l) => ({ text: l.text, detail: l.annotation, interactionId: l.interactionId, labelId: l.id }));
    const source: SummaryTopic['source'] = turns.length > 0 ? 'interactions' : 'labels';
    const { model } = await this.context.embeddings.describe();
    if (items.length === 0) return { topics: [], wordCloud, model };
    const embedded = await this.context.embeddings.embedItems(items);
    const vectors = stack(embedded.vectors, embedded.dims);
    const { clusters } = await this.context.runner.run({
      vectors,
      dims: embedded.dims,
      seed: defaultSeed,
      clustersOnly: true,
    });
    const groups = new Map<number, typeof items>();
    items.forEach((item, i) => {
      const id = clusters[i] as number;
      groups.set(id, [...(groups.get(id) ?? []), item]);
    });
    const topics = [...groups.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([, members]) => {
        const texts = members.map((m) => m.text);
        return {
          name: nameOf(texts),
          terms: wordCounts(texts)
            .slice(0, 8)
            .map((t) => t.term),
          size: members.length,
          source,
          labelIds: members.flatMap((m) => (m.labelId ? [m.labelId] : [])),
          interactionIds: [...new Set(members.flatMap((m) => (m.interactionId ? [m.interactionId] : [])))],
        };
      });
    return { topics, wordCloud, model: embedded.model };
  }
}
