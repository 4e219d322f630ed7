import type { Db } from '@calma/db';
import { LayoutRunner } from '@calma/embeddings';
import type { ChatProvider } from '@calma/models';
import { ErrorCode } from '@calma/protocol';
import rateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import { EmbeddingCache } from './affinity/embedding-cache.js';
import { AffinityService } from './affinity/service.js';
import { RedisBoardRelay } from './cluster/board-relay.js';
import type { DrainState } from './cluster/drain.js';
import { RedisEventBus } from './cluster/event-bus.js';
import { RedisLeases } from './cluster/leases.js';
import type { RedisConnections } from './cluster/redis.js';
import { type Config, defaultBoardBatchMs, defaultRelayReadGapMs, transportDefaults } from './config.js';
import { AppError, installErrorHandling } from './errors.js';
import { type EventBus, type EventFailureLog, InProcessEventBus } from './events/bus.js';
import { interactGate } from './journey/gate.js';
import { JudgeRunner } from './judge/runner.js';
import { authPlugin } from './plugins/auth.js';
import { clientErrorHandler, lingeringClosePlugin, requestTimeoutOptions } from './plugins/http-limits.js';
import { openApiPlugin } from './plugins/openapi.js';
import { webPlugin } from './plugins/web.js';
import { originCheck, type SocketPolicy } from './realtime/admission.js';
import { installControlChannel } from './realtime/control/index.js';
import { installUpgradeRouter } from './realtime/upgrade.js';
import { BoardServer } from './realtime/yjs/index.js';
import { BoardStore } from './realtime/yjs/store.js';
import { SessionRecorder } from './replay/recorder.js';
import { abRoutes } from './routes/ab/index.js';
import { affinityRoutes } from './routes/affinity/index.js';
import { agreementRoutes } from './routes/agreement/index.js';
import { artifactRoutes } from './routes/artifacts/index.js';
import { attributeRoutes } from './routes/attributes/index.js';
import { attributeSuggestionRoutes } from './routes/attributes/suggestions.js';
import { chatLimitsFrom, chatRoutes, defaultChatLimits } from './routes/chat/index.js';
import { codebookRoutes } from './routes/codebook/index.js';
import { codingRoutes } from './routes/coding/index.js';
import { comparisonRoutes } from './routes/comparison/index.js';
import { groupRoutes } from './routes/groups/index.js';
import { participantRoutes } from './routes/groups/participants.js';
import { healthRoutes } from './routes/health/index.js';
import { joinRoutes } from './routes/join/index.js';
import { judgeRunRoutes } from './routes/judge-runs/index.js';
import { materialRoutes } from './routes/material/index.js';
import { orientationRoutes } from './routes/orientation/index.js';
import { qdpxRoutes } from './routes/qdpx/index.js';
import { replayRoutes } from './routes/replay/index.js';
import { rubricRoutes } from './routes/rubrics/index.js';
import { analysisRoutes } from './routes/sessions/analysis.js';
import { sessionRoutes } from './routes/sessions/index.js';
import { submissionRoutes } from './routes/sessions/submissions.js';
import { studyRoutes } from './routes/studies/index.js';
import { transcriptRoutes } from './routes/transcripts/index.js';
import { SessionService } from './sessions/service.js';
import { lazySchemaCompilers } from './startup/lazy-schemas.js';

/** What the app is built on: an open, migrated database and the admin token's hash. */
export interface AppDeps {
  readonly db: Db;
  readonly adminTokenHash: string;
  readonly version: string;
  /** The embedder behind its cache; by default the offline model, loaded on first use. */
  readonly embeddings?: EmbeddingCache;
  /** Layouts run here; by default a runner whose worker starts with the first layout. */
  readonly layouts?: LayoutRunner;
  /** The provider of studies' `local` models (transformers.js in a worker); without one they answer MODEL_UNKNOWN. */
  readonly localModels?: ChatProvider & { close(): Promise<void> };
  /**
   * Redis shared with other nodes (`CALMA_REDIS_URL`): socket.io rooms and the domain events'
   * `everyNode` subscribers span the nodes. Its owner (main.ts) closes it after the app.
   */
  readonly redis?: RedisConnections | null;
  /** Set on SIGTERM: readiness answers 503 from then on. */
  readonly drain?: DrainState;
}

/** The settings `buildApp` reads; tests pass a partial config. */
export type AppConfig = Pick<Config, 'logLevel' | 'bodyLimit' | 'joinRateLimit' | 'webDir'> &
  Partial<
    Pick<
      Config,
      | 'trustProxy'
      | 'boardMaxUpdateBytes'
      | 'boardMaxDocBytes'
      | 'boardCompactEvery'
      | 'boardBatchMs'
      | 'boardMomentEveryMs'
      | 'mapMaxCards'
      | 'dataDir'
      | 'publicUrl'
      | 'requestTimeoutMs'
      | 'socketPingMs'
      | 'socketIdleMs'
      | 'maxSocketsPerToken'
      | 'maxSocketsPerAddress'
      | 'allowedOrigins'
      | 'modelTimeoutMs'
      | 'modelIdleMs'
      | 'modelRetries'
      | 'chatRateLimit'
      | 'chatMaxChars'
      | 'leaseTtlMs'
      | 'relayReadGapMs'
    >
  >;

/**
 * Builds the Fastify app without listening: `main.ts` listens, tests call `app.inject()`.
 * Request bodies are validated with type coercion off, so `"consent": "true"` stays a string
 * and is refused, as the contract requires.
 */
export async function buildApp(config: AppConfig, deps: AppDeps): Promise<FastifyInstance> {
  const requestTimeoutMs = config.requestTimeoutMs ?? transportDefaults.requestTimeoutMs;
  const app = Fastify({
    logger: { level: config.logLevel },
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy ?? false,
    ...requestTimeoutOptions(requestTimeoutMs),
    clientErrorHandler,
    // `discriminator`: a union tagged by a field (the control actions) is checked against the
    // branch its tag names, so an error says what that action lacks.
    ajv: { customOptions: { coerceTypes: false, allErrors: false, discriminator: true } },
    // Socket and upgrade errors on a closing server must not hang `close()`.
    forceCloseConnections: true,
    // Each route's schemas compile on its first request, not all at start-up.
    schemaController: lazySchemaCompilers(),
  }).withTypeProvider<TypeBoxTypeProvider>();

  installErrorHandling(app);
  await app.register(lingeringClosePlugin, { maxMs: requestTimeoutMs });
  // An empty body with `content-type: application/json` (generic clients send one on body-less
  // POSTs such as creating a session) is no body rather than a 400; non-empty bodies still go
  // through Fastify's parser with its prototype-poisoning protection.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    parseJson(request, text, done);
  });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new AppError(429, ErrorCode.rateLimited, `Too many requests; try again in ${context.after}`),
  });
  await app.register(openApiPlugin, { version: deps.version });
  const auth = { db: deps.db.db, adminTokenHash: deps.adminTokenHash };
  const logFailure: EventFailureLog = (err, event) => app.log.error({ err, event: event.type }, 'event handler failed');
  const redis = deps.redis ?? null;
  const clusterBus = redis ? new RedisEventBus(redis, logFailure, app.log) : null;
  const events: EventBus = clusterBus ?? new InProcessEventBus(logFailure);
  const sessions = new SessionService(deps.db, events);
  await app.register(authPlugin, { ...auth, sessions });
  const sockets = socketPolicy(config, app);

  const embeddings =
    deps.embeddings ??
    new EmbeddingCache(
      deps.db.db,
      { cacheDir: `${config.dataDir ?? '.calma'}/models`, allowDownloads: false },
      (line) => app.log.warn(line),
    );
  const runner = deps.layouts ?? new LayoutRunner();
  // Several nodes: work one node at a time may do (a judge run, a session's affinity map).
  const leaseTtlMs = config.leaseTtlMs ?? 30_000;
  const leases = redis ? new RedisLeases(redis, leaseTtlMs) : null;
  if (leases) app.addHook('onClose', () => leases.close());
  // The affinity map reads the board's cards, and the board asks the map where new labels go:
  // each gets the other's function at construction, neither sets a field on the other.
  const affinity: AffinityService = new AffinityService({
    db: deps.db.db,
    events,
    cards: (sessionId) => board.cards(sessionId),
    embeddings,
    runner,
    maxCards: config.mapMaxCards ?? 10_000,
    ...(leases ? { lease: leases.claim } : {}),
  });
  // With other nodes, boards are relayed to them over Redis and folded so as not to drop their updates.
  const relay = redis
    ? new RedisBoardRelay(
        {
          commands: redis.client,
          reader: redis.dedicated('board relay reader'),
          subscriber: redis.dedicated('board relay subscriber'),
        },
        app.log,
        { readGapMs: config.relayReadGapMs ?? defaultRelayReadGapMs },
      )
    : undefined;
  const boardStore = new BoardStore(deps.db, {
    shared: redis !== null,
    batchMs: config.boardBatchMs ?? defaultBoardBatchMs,
  });
  const board = new BoardServer({
    db: deps.db.db,
    store: boardStore,
    relay,
    sessions,
    events,
    auth,
    log: app.log,
    limits: {
      maxUpdateBytes: config.boardMaxUpdateBytes ?? 1024 * 1024,
      maxDocBytes: config.boardMaxDocBytes ?? 32 * 1024 * 1024,
      compactEvery: config.boardCompactEvery,
    },
    labelPlacement: (sessionId, doc, labels) => affinity.placeNewLabels(sessionId, doc, labels),
    policy: sockets,
    momentEveryMs: config.boardMomentEveryMs,
  });
  // Replay: each session's timeline, written from the domain events.
  const recorder = new SessionRecorder(deps.db.db, events);
  app.addHook('onClose', () => recorder.close());

  await app.register(healthRoutes, { db: deps.db, version: deps.version, redis, drain: deps.drain });
  await app.register(studyRoutes, { db: deps.db.db });
  await app.register(groupRoutes, { db: deps.db.db });
  await app.register(participantRoutes, { db: deps.db.db, events });
  await app.register(joinRoutes, { db: deps.db.db, rateLimit: config.joinRateLimit, events });
  await app.register(materialRoutes, { db: deps.db.db, events });
  await app.register(agreementRoutes, { db: deps.db.db });
  await app.register(attributeRoutes, { db: deps.db.db });
  await app.register(codingRoutes, { db: deps.db.db, embeddings, events });
  await app.register(attributeSuggestionRoutes, { db: deps.db.db, embeddings });
  await app.register(comparisonRoutes, { db: deps.db.db, embeddings });
  await app.register(orientationRoutes, { db: deps.db.db, embeddings });
  await app.register(transcriptRoutes, { db: deps.db.db, events });
  await app.register(qdpxRoutes, { db: deps.db.db, events });
  await app.register(artifactRoutes, { db: deps.db.db });
  await app.register(codebookRoutes, { db: deps.db.db });
  await app.register(sessionRoutes, { db: deps.db.db, sessions });
  await app.register(submissionRoutes, { db: deps.db.db, sessions, affinity });
  await app.register(affinityRoutes, { affinity });
  await app.register(analysisRoutes, { db: deps.db.db, cards: (sessionId) => board.cards(sessionId) });
  await app.register(rubricRoutes, { db: deps.db.db, cards: (sessionId) => board.cards(sessionId) });
  await app.register(replayRoutes, { db: deps.db.db, settleBoards: () => boardStore.settle() });
  await app.register(chatRoutes, {
    db: deps.db.db,
    limits: chatLimitsFrom(config),
    local: deps.localModels,
    // A conversation starts only once Familiarize lets the participant into Interact.
    beforeConversation: interactGate(deps.db.db),
  });
  await app.register(abRoutes, {
    db: deps.db.db,
    events,
    limits: abLimitsFrom(config),
    ...(deps.localModels ? { local: deps.localModels } : {}),
  });
  const judges = new JudgeRunner({
    db: deps.db.db,
    cards: (sessionId) => board.cards(sessionId),
    embeddings,
    log: app.log,
    limits: {
      ...(config.modelTimeoutMs === undefined ? {} : { firstTokenMs: config.modelTimeoutMs }),
      ...(config.modelIdleMs === undefined ? {} : { idleMs: config.modelIdleMs }),
      ...(config.modelRetries === undefined ? {} : { retries: config.modelRetries }),
    },
    local: deps.localModels,
    // Several nodes: each run on one node at a time; every node resumes runs at start-up and,
    // each lease time, takes up those of a node that died (its lease expired).
    ...(leases ? { lease: leases.claim, sweepEveryMs: leaseTtlMs } : {}),
  });
  await app.register(judgeRunRoutes, { db: deps.db.db, runner: judges, sessions });
  // Runs a stopped server left `running` continue once this one can serve; on close they stop
  // where they are (their scores are stored) and the next start takes them up again.
  app.addHook('onReady', async () => {
    void judges.resumeLeftRunning().catch((err: unknown) => app.log.error({ err }, 'judge runs: resuming failed'));
  });
  app.addHook('preClose', () => judges.close());
  if (deps.localModels) {
    const local = deps.localModels;
    app.addHook('onClose', () => local.close());
  }
  installControlChannel(app, { db: deps.db.db, sessions, events, log: app.log }, auth, sockets, redis);
  installUpgradeRouter(app, { '/yjs/': board.upgrade });
  // Before the HTTP server closes: every accepted board update is flushed, then clients leave.
  app.addHook('preClose', () => board.close());
  if (relay) app.addHook('onClose', () => relay.close());
  app.addHook('onClose', () => runner.close());
  if (clusterBus) {
    // Every subscriber is in place: other nodes' events are read from now on, until the close.
    clusterBus.start();
    app.addHook('onClose', () => clusterBus.close());
  }
  await app.register(webPlugin, { webDir: config.webDir });
  return app;
}

/**
 * How both WebSocket endpoints admit sockets. A refused origin is logged once (at warn): the
 * likely cause is a deployment whose address is missing from `CALMA_ALLOWED_ORIGINS` or
 * `CALMA_PUBLIC_URL`, and a hostile page retrying must not flood the log.
 */
function socketPolicy(config: AppConfig, app: FastifyInstance): SocketPolicy {
  const trustProxy = config.trustProxy ?? false;
  const check = originCheck({ allowed: config.allowedOrigins ?? [], publicUrl: config.publicUrl ?? null, trustProxy });
  const reported = new Set<string>();
  return {
    originAllowed: (headers) => {
      if (check(headers)) return true;
      const origin = String(headers.origin).slice(0, 200);
      if (reported.size < 100 && !reported.has(origin)) {
        reported.add(origin);
        app.log.warn(
          { origin, host: headers.host },
          'WebSocket refused: origin not allowed (set CALMA_PUBLIC_URL or CALMA_ALLOWED_ORIGINS if it is yours)',
        );
      }
      return false;
    },
    trustProxy,
    caps: {
      perToken: config.maxSocketsPerToken ?? transportDefaults.maxSocketsPerToken,
      perAddress: config.maxSocketsPerAddress ?? transportDefaults.maxSocketsPerAddress,
    },
    pingMs: config.socketPingMs ?? transportDefaults.socketPingMs,
    idleMs: config.socketIdleMs ?? transportDefaults.socketIdleMs,
  };
}

/** The A/B rounds' model limits: the chat's timeouts and longest message. */
function abLimitsFrom(config: AppConfig) {
  const chat = { ...defaultChatLimits, ...chatLimitsFrom(config) };
  return { firstTokenMs: chat.firstTokenMs, idleMs: chat.idleMs, maxChars: chat.maxChars };
}
