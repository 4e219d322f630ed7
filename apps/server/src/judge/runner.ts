import {
  buildRubric,
  type JudgeRubric,
  judgeClassifierMinimum,
  judgeClassifierProbability,
  judgeCrossValidatedAgreement,
  judgeMessages,
  judgeScoreAgreement,
  judgeScoreOfProbability,
  judgeTrainingSets,
  parseJudgeScore,
  type RubricAxis,
  trainJudgeClassifier,
} from '@calma/core';
import {
  addJudgeRunCost,
  clearJudgeFailures,
  createJudgeRun,
  type Database,
  findJudgeRun,
  type JudgeRunRow,
  latestJudgeRubrics,
  listJudgeScores,
  listRunningJudgeRuns,
  saveJudgeScore,
  saveJudgeScores,
  updateJudgeRun,
} from '@calma/db';
import { type ChatProvider, type ModelSpec, ProviderError, providerFor } from '@calma/models';
import { type JudgeRunAgreement, JudgeRunErrorCode } from '@calma/protocol';
import type { Card } from '@calma/protocol/board';
import type { FastifyBaseLogger } from 'fastify';
import type { EmbeddingCache } from '../affinity/embedding-cache.js';
import { askJudge, defaultJudgeCallLimits, type JudgeCallLimits } from './ask-judge.js';
import { type JudgeItem, type RunMaterial, runMaterial } from './material.js';
import { turnKey } from './turns.js';

/** Why a run cannot finish: stored on the run as its `error`. */
export class JudgeRunFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** What the runner needs. */
export interface JudgeRunnerDeps {
  db: Database;
  embeddings: EmbeddingCache;
  log: FastifyBaseLogger;
  limits?: Partial<JudgeCallLimits>;
  /** Where a study model's provider comes from (tests; by default `providerFor`). */
  providers?: (spec: ModelSpec) => ChatProvider;
  /** Local (transformers.js) models, when the server runs them. */
  local?: ChatProvider | undefined;
  /** Reads a session's board, for the links the group made there between labels and axes. */
  cards?: (sessionId: string) => Promise<readonly Card[]>;
  /**
   * Several nodes: a run is worked on only by the node holding its lease, so that a node starting
   * does not take up a run another node is working on. Absent on one node.
   */
  lease?: (runId: string) => Promise<(() => void) | null>;
  /**
   * Several nodes: how often (ms) to look for runs left `running` that no node works on (a node
   * died: its lease expired) and take them up. Absent: only at start-up.
   */
  sweepEveryMs?: number;
}

/** A parsed stored rubric, or null when the row does not have a rubric's shape. */
function storedRubric(axisId: string, raw: Record<string, unknown>): JudgeRubric | null {
  const r = raw as Partial<JudgeRubric>;
  if (typeof r.prompt !== 'string' || !Array.isArray(r.levels) || r.levels.length !== 5) return null;
  return {
    axisId,
    name: String(r.name ?? ''),
    definition: String(r.definition ?? ''),
    prompt: r.prompt,
    levels: r.levels,
    examples: Array.isArray(r.examples) ? r.examples : [],
  };
}

/**
 * Runs judges in the background, one at a time per run: every score is stored as it is made, so a
 * run the server stopped in continues where it was (at start-up, and on request after a failure),
 * never asking the model again for a score it holds.
 */
export class JudgeRunner {
  readonly #active = new Map<string, { controller: AbortController; finished: Promise<void> }>();
  readonly #limits: JudgeCallLimits;
  #closing = false;
  #sweep: NodeJS.Timeout | null = null;

  constructor(private readonly deps: JudgeRunnerDeps) {
    this.#limits = { ...defaultJudgeCallLimits, ...deps.limits };
  }

  /** Creates a run and starts it in the background; resolves with the stored row. */
  async start(run: Parameters<typeof createJudgeRun>[1]): Promise<JudgeRunRow> {
    const row = await createJudgeRun(this.deps.db, run);
    this.#launch(row.id);
    return row;
  }

  /** Takes up a failed run again: items without a score (failures) are asked again. */
  async resume(runId: string): Promise<void> {
    await clearJudgeFailures(this.deps.db, runId);
    await updateJudgeRun(this.deps.db, runId, { status: 'running', error: null, finishedAt: null });
    this.#launch(runId);
  }

  /**
   * Continues every run a stopped server left `running`; then, with `sweepEveryMs`, looks again
   * that often for runs no node works on (another node's, once it died and its lease expired).
   */
  async resumeLeftRunning(): Promise<void> {
    await this.#takeUpLeftRunning('judge run: resuming after a restart');
    if (this.deps.sweepEveryMs !== undefined && !this.#sweep && !this.#closing) {
      this.#sweep = setInterval(() => {
        this.#takeUpLeftRunning('judge run: taking up a run no node was working on').catch((err: unknown) =>
          this.deps.log.error({ err }, 'judge runs: looking for runs left running failed'),
        );
      }, this.deps.sweepEveryMs);
      this.#sweep.unref();
    }
  }

  /** Launches every `running` run not worked on here; `taken` is logged for each this node takes up. */
  async #takeUpLeftRunning(taken: string): Promise<void> {
    for (const run of await listRunningJudgeRuns(this.deps.db)) this.#launch(run.id, taken);
  }

  /** Whether a run is being worked on in this process. */
  isActive(runId: string): boolean {
    return this.#active.has(runId);
  }

  /** Resolves once `runId` is not being worked on here (tests, shutdown). */
  async settled(runId: string): Promise<void> {
    await this.#active.get(runId)?.finished;
  }

  /** Stops every run where it is (they stay `running`, so the next start resumes them). */
  async close(): Promise<void> {
    this.#closing = true;
    if (this.#sweep) clearInterval(this.#sweep);
    this.#sweep = null;
    for (const { controller } of this.#active.values()) controller.abort(new Error('server stopping'));
    await Promise.all([...this.#active.values()].map((a) => a.finished));
  }

  /** Works on `runId` in the background unless it is already; `taken` is logged once it is this node's. */
  #launch(runId: string, taken?: string): void {
    if (this.#closing || this.#active.has(runId)) return;
    const controller = new AbortController();
    const finished = this.#leased(runId, taken, () => this.#execute(runId, controller.signal))
      .catch(async (err: unknown) => {
        if (controller.signal.aborted) return;
        const failure =
          err instanceof JudgeRunFailure
            ? err
            : new JudgeRunFailure(JudgeRunErrorCode.internal, 'The run stopped on an unexpected error');
        if (!(err instanceof JudgeRunFailure)) this.deps.log.error({ err, runId }, 'judge run failed unexpectedly');
        else this.deps.log.warn({ runId, code: failure.code }, `judge run failed: ${failure.message}`);
        await updateJudgeRun(this.deps.db, runId, {
          status: 'failed',
          error: { code: failure.code, message: failure.message },
          finishedAt: new Date(),
        }).catch((e: unknown) => this.deps.log.error({ err: e, runId }, 'judge run: storing the failure failed'));
      })
      .finally(() => this.#active.delete(runId));
    this.#active.set(runId, { controller, finished });
  }

  /**
   * Runs `work` while holding the run's lease (when nodes share runs); skips it, quietly, if
   * another node holds it (every sweep finds the runs other nodes work on).
   */
  async #leased(runId: string, taken: string | undefined, work: () => Promise<void>): Promise<void> {
    if (!this.deps.lease) {
      if (taken) this.deps.log.info({ runId }, taken);
      return work();
    }
    const release = await this.deps.lease(`judge-run:${runId}`);
    if (!release) {
      this.deps.log.debug({ runId }, 'judge run: another node is working on it');
      return;
    }
    if (taken) this.deps.log.info({ runId }, taken);
    try {
      await work();
    } finally {
      release();
    }
  }

  async #execute(runId: string, signal: AbortSignal): Promise<void> {
    const { db } = this.deps;
    const run = await findJudgeRun(db, runId);
    if (run?.status !== 'running') return;
    const material = await runMaterial(db, run, this.deps.cards);
    if (material.axes.length === 0)
      throw new JudgeRunFailure(JudgeRunErrorCode.noAxes, 'The session has no final attributes to judge along yet');
    const stored = new Set(
      (await listJudgeScores(db, runId)).map((s) => `${turnKey(s.interactionId, s.messageIndex)}@${s.axisId}`),
    );
    const work = material.items.flatMap((item) =>
      material.axes.map((axis) => ({
        item,
        axis,
        key: `${turnKey(item.interactionId, item.messageIndex)}@${axis.id}`,
      })),
    );
    const total = work.length;
    let done = work.filter((w) => stored.has(w.key)).length;
    await updateJudgeRun(db, runId, { progress: { done, total } });
    const todo = work.filter((w) => !stored.has(w.key));
    const save = async (
      w: (typeof work)[number],
      score: number,
      rationale: string | null,
      tokens: number,
      ms: number,
    ) => {
      done++;
      await saveJudgeScore(
        db,
        {
          runId,
          interactionId: w.item.interactionId,
          messageIndex: w.item.messageIndex,
          axisId: w.axis.id,
          score,
          rationale,
          tokens,
        },
        { done, total },
        ms,
      );
    };

    let agreement: JudgeRunAgreement[];
    if (run.kind === 'classifier') {
      const saveScores = async (scores: Parameters<typeof saveJudgeScores>[2], ms: number) => {
        done += scores.length;
        await saveJudgeScores(db, runId, scores, { done, total }, ms);
      };
      agreement = await this.#classify(run, material, todo, saveScores, signal);
    } else {
      const model = material.study.models.find((m) => m.id === run.modelId);
      if (!model)
        throw new JudgeRunFailure(
          JudgeRunErrorCode.modelUnknown,
          `The study has no model "${run.modelId ?? ''}" to judge with`,
        );
      const rubrics = await this.#rubrics(run, material.axes);
      for (const w of todo) {
        if (signal.aborted) return;
        const rubric = rubrics.get(w.axis.id) as JudgeRubric;
        const started = performance.now();
        const judged = await this.#judgeOne(model, rubric, w.item, signal);
        if (signal.aborted) return;
        await save(w, judged.score, judged.rationale, judged.tokens, performance.now() - started);
      }
      agreement = await this.#llmAgreement(runId, material, rubrics);
    }
    if (signal.aborted) return;
    await updateJudgeRun(db, runId, {
      status: 'done',
      agreement,
      error: null,
      progress: { done, total },
      finishedAt: new Date(),
    });
    this.deps.log.info({ runId, kind: run.kind, total }, 'judge run done');
  }

  /** Each axis's rubric: the latest stored version, else one built from its definition and examples. */
  async #rubrics(run: JudgeRunRow, axes: RubricAxis[]): Promise<Map<string, JudgeRubric>> {
    const latest = await latestJudgeRubrics(this.deps.db, run.sessionId);
    const rubrics = new Map<string, JudgeRubric>();
    const versions: Record<string, number> = {};
    for (const axis of axes) {
      const row = latest.get(axis.id);
      const stored = row ? storedRubric(axis.id, row.rubric) : null;
      rubrics.set(axis.id, stored ?? buildRubric(axis));
      // 0: built for this run (no stored version yet).
      versions[axis.id] = stored && row ? row.version : 0;
    }
    // A resumed run keeps the versions it started with in its record (the scores it holds used them).
    if (Object.keys(run.rubricVersions).length === 0)
      await updateJudgeRun(this.deps.db, run.id, { rubricVersions: versions });
    return rubrics;
  }

  /**
   * One score from the judge model. An unparseable reply is asked once more, then recorded as no
   * score (0) with the reply; a model that keeps failing fails the run (resumable).
   */
  async #judgeOne(
    model: ModelSpec,
    rubric: JudgeRubric,
    item: JudgeItem,
    signal: AbortSignal,
  ): Promise<{ score: number; rationale: string | null; tokens: number }> {
    // The judge should be repeatable: no sampling, and a short answer.
    const spec: ModelSpec = { ...model, params: { ...model.params, temperature: 0, maxTokens: 200 } };
    const provider =
      this.deps.providers?.(spec) ?? providerFor(spec, this.deps.local ? { local: this.deps.local } : {});
    const messages = judgeMessages(rubric, item);
    let tokens = 0;
    let last = '';
    for (let attempt = 0; attempt < 2; attempt++) {
      let reply: { text: string; tokens: number };
      try {
        reply = await askJudge(provider, spec, messages, this.#limits, signal);
      } catch (err) {
        if (signal.aborted) throw err;
        if (err instanceof ProviderError)
          throw new JudgeRunFailure(
            JudgeRunErrorCode.modelFailed,
            `The judge model ${model.label} failed (${err.code}): ${err.message}. Resume the run to continue where it stopped.`,
          );
        throw err;
      }
      tokens += reply.tokens;
      last = reply.text;
      const parsed = parseJudgeScore(reply.text);
      if (parsed) return { score: parsed.score, rationale: parsed.rationale.slice(0, 2000), tokens };
    }
    return { score: 0, rationale: `No score in the judge's reply: ${last.slice(0, 500)}`, tokens };
  }

  /** LLM agreement: the judge's scores on the people's example turns the run scored, few-shot examples left out. */
  async #llmAgreement(
    runId: string,
    material: RunMaterial,
    rubrics: Map<string, JudgeRubric>,
  ): Promise<JudgeRunAgreement[]> {
    const scores = new Map(
      (await listJudgeScores(this.deps.db, runId)).map((s) => [
        `${turnKey(s.interactionId, s.messageIndex)}@${s.axisId}`,
        s.score,
      ]),
    );
    const sets = judgeTrainingSets(material.axes.map(axisTurns));
    return material.axes.map((axis, i) => {
      const set = sets[i] as (typeof sets)[number];
      const shown = new Set(
        (rubrics.get(axis.id)?.examples ?? []).map((e) => turnKey(e.interactionId, e.messageIndex)),
      );
      const judged = (keys: readonly string[], positive: boolean) =>
        keys.flatMap((k) => {
          const score = shown.has(k) ? undefined : scores.get(`${k}@${axis.id}`);
          return score ? [{ positive, score }] : [];
        });
      const result = judgeScoreAgreement([...judged(set.positive, true), ...judged(set.negative, false)]);
      return {
        axisId: axis.id,
        name: axis.name,
        ...result,
        borrowedNegatives: set.borrowedNegatives,
        method: 'held-out',
      };
    });
  }

  /** The classifier kind: embed, train per axis, score every item, agreement by leave-one-out. */
  async #classify(
    run: JudgeRunRow,
    material: RunMaterial,
    todo: { item: JudgeItem; axis: RubricAxis; key: string }[],
    saveScores: (scores: Parameters<typeof saveJudgeScores>[2], ms: number) => Promise<void>,
    signal: AbortSignal,
  ): Promise<JudgeRunAgreement[]> {
    const started = performance.now();
    const sets = judgeTrainingSets(material.axes.map(axisTurns)).map((set) => ({
      ...set,
      // Only turns the staff may read can be embedded.
      positive: set.positive.filter((k) => material.turns.has(k)),
      negative: set.negative.filter((k) => material.turns.has(k)),
    }));
    const short = material.axes.filter(
      (_, i) =>
        (sets[i]?.positive.length ?? 0) < judgeClassifierMinimum ||
        (sets[i]?.negative.length ?? 0) < judgeClassifierMinimum,
    );
    if (short.length > 0)
      throw new JudgeRunFailure(
        JudgeRunErrorCode.tooFewExamples,
        `Too few coded examples to train the classifier for ${short.map((a) => `"${a.name}"`).join(', ')}: each axis needs at least ${judgeClassifierMinimum} turns that show it (examples or turns coded with its codes) and ${judgeClassifierMinimum} that do not (codes counting against it, or turns tied to other axes).`,
      );
    const keys = [
      ...new Set([
        ...sets.flatMap((s) => [...s.positive, ...s.negative]),
        ...todo.map((w) => turnKey(w.item.interactionId, w.item.messageIndex)),
      ]),
    ];
    const texts = keys.map((k) => material.turns.get(k)?.response ?? '');
    const embedded = await this.deps.embeddings.embed(texts);
    const vectorOf = new Map(keys.map((k, i) => [k, embedded.vectors[i] as Float32Array]));
    const vectors = (list: readonly string[]) => list.map((k) => vectorOf.get(k) as Float32Array);
    const models = new Map(
      material.axes.map((axis, i) => {
        const set = sets[i] as (typeof sets)[number];
        return [axis.id, trainJudgeClassifier(vectors(set.positive), vectors(set.negative))];
      }),
    );
    const agreement = material.axes.map((axis, i): JudgeRunAgreement => {
      const set = sets[i] as (typeof sets)[number];
      const { folds, ...held } = judgeCrossValidatedAgreement(vectors(set.positive), vectors(set.negative));
      return {
        axisId: axis.id,
        name: axis.name,
        ...held,
        borrowedNegatives: set.borrowedNegatives,
        method: folds === held.n ? 'leave-one-out' : `${folds}-fold`,
      };
    });
    await addJudgeRunCost(this.deps.db, run.id, { ms: performance.now() - started });
    // Stored in batches: a stop between two loses at most one batch, which the next start redoes.
    for (let from = 0; from < todo.length && !signal.aborted; from += classifierBatch) {
      const t = performance.now();
      const batch = todo.slice(from, from + classifierBatch).map((w) => {
        const p = judgeClassifierProbability(
          models.get(w.axis.id) as ReturnType<typeof trainJudgeClassifier>,
          vectorOf.get(turnKey(w.item.interactionId, w.item.messageIndex)) as Float32Array,
        );
        return {
          interactionId: w.item.interactionId,
          messageIndex: w.item.messageIndex,
          axisId: w.axis.id,
          score: judgeScoreOfProbability(p),
          rationale: `p=${p.toFixed(4)}`,
          tokens: 0,
        };
      });
      await saveScores(batch, performance.now() - t);
    }
    return agreement;
  }
}

/** Classifier scores stored per transaction. */
const classifierBatch = 200;

/** An axis's turns as keys, for core's training sets. */
function axisTurns(axis: RubricAxis) {
  return {
    axisId: axis.id,
    positive: axis.positive.map((t) => turnKey(t.interactionId, t.messageIndex)),
    negative: axis.negative.map((t) => turnKey(t.interactionId, t.messageIndex)),
  };
}
