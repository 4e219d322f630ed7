import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Least time between one board's commits (ms). Below one display frame (16.7 ms), so nobody sees
 * it, and a person dragging a card at the display's rate is never held; several people writing at
 * once share commits and broadcasts (see `BoardStoreOptions.batchMs`).
 */
export const defaultBoardBatchMs = 10;

/** Several nodes: least time between the starts of two reads of the board streams (ms; `RelayOptions.readGapMs`). */
export const defaultRelayReadGapMs = 5;

/** Everything Calma reads from the environment, validated once at start-up. */
export interface Config {
  readonly host: string;
  readonly port: number;
  /** Embedded data (PGlite files, generated admin token, demo credentials). */
  readonly dataDir: string;
  /** PostgreSQL instead of PGlite when set. */
  readonly databaseUrl: string | null;
  /** Fixed admin token; when null one is generated on first start. */
  readonly adminToken: string | null;
  /** Seed the pilot demo once (default on for the embedded database only). */
  readonly seedDemo: boolean;
  /** Let V8 optimise PGlite's WebAssembly (more memory); off: PGlite runs on baseline code. */
  readonly pgliteOptimizeWasm: boolean;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Largest accepted HTTP body, in bytes. */
  readonly bodyLimit: number;
  /** Joins allowed per client address per minute. */
  readonly joinRateLimit: number;
  /** The built web app to serve, or null to serve the API only. */
  readonly webDir: string | null;
  /** The address people open (behind a proxy, say); the printed links use it. */
  readonly publicUrl: string | null;
  /** Trust `X-Forwarded-*` from a reverse proxy, so rate limits see each client's address. */
  readonly trustProxy: boolean;
  /** Largest Yjs update the board accepts, in bytes. */
  readonly boardMaxUpdateBytes: number;
  /** Largest board (its stored updates and snapshot), in bytes. */
  readonly boardMaxDocBytes: number;
  /** Stored board updates folded into a snapshot after this many. */
  readonly boardCompactEvery: number;
  /** Least time between one board's commits, in ms: its updates arriving meanwhile share a commit and a broadcast. */
  readonly boardBatchMs: number;
  /** Replay: a changing board keeps a moment at most this often, in ms. */
  readonly boardMomentEveryMs: number;
  /**
   * Sentence-embedding model for the affinity map, summary and mapping suggestions: empty for the
   * offline default, a hub id (`Xenova/all-MiniLM-L6-v2`) or a local model directory.
   */
  readonly embeddingModel: string;
  /** May a hub model be downloaded (once, into `<dataDir>/models`)? Off: nothing needs the network. */
  readonly embeddingDownloads: boolean;
  /** Where the offline model is, when not in its default place. */
  readonly staticModelDir: string | null;
  /** Where the local chat provider finds model folders (`<dataDir>/models` unless `CALMA_MODELS_DIR`). */
  readonly modelsDir: string;
  /** May the local chat provider download a hub model into `modelsDir`? Off: nothing needs the network. */
  readonly modelDownloads: boolean;
  /** Most cards one affinity map lays out; more is refused with 413. */
  readonly mapMaxCards: number;
  /**
   * How long a client may take to send a whole request (headers and body), in ms; past it the
   * server answers 408 and closes. Upgraded sockets (board, socket.io) and responses that stream
   * for long (socket.io long-polling, server-sent events) are not bound by it: it stops counting
   * once the request has arrived.
   */
  readonly requestTimeoutMs: number;
  /** Board sockets are pinged this often (ms); one that has not answered the last ping is dropped. */
  readonly socketPingMs: number;
  /**
   * A board socket that has sent nothing this long (ms) after opening is closed (4408); a
   * socket.io connection that has not joined its namespace by then is dropped.
   */
  readonly socketIdleMs: number;
  /** Most open sockets one token may hold on each WebSocket endpoint (board, socket.io). */
  readonly maxSocketsPerToken: number;
  /** Most open sockets one client address may hold on each WebSocket endpoint. */
  readonly maxSocketsPerAddress: number;
  /**
   * Browser origins that may open a board or socket.io connection, besides the server's own (the
   * host it is addressed by) and `publicUrl`; `'*'` admits every origin. Requests without an
   * `Origin` header (not from a browser) are always admitted: tokens, not cookies, are what grant.
   */
  readonly allowedOrigins: readonly string[] | '*';
  /** A chat model that has not sent its first token this long (ms) after the call is timed out. */
  readonly modelTimeoutMs: number;
  /** A chat model that has sent nothing more for this long (ms) mid-answer is timed out. */
  readonly modelIdleMs: number;
  /** Retries of a model call that failed before any token (429, 5xx, connection refused). */
  readonly modelRetries: number;
  /** Chat messages one participant may send per minute (more: 429). */
  readonly chatRateLimit: number;
  /** Longest chat message, in characters (longer: 413). */
  readonly chatMaxChars: number;
  /**
   * Redis (`redis://…`) shared by several nodes: socket.io events and domain events cross nodes
   * through it. Null: one node, everything in this process, as without it.
   */
  readonly redisUrl: string | null;
  /**
   * On SIGTERM, how long (ms) readiness answers 503 while the node still serves, so a load balancer
   * stops sending it new clients before it stops accepting them. Default 0 on one node, 2 s with Redis.
   */
  readonly drainDelayMs: number;
  /**
   * Several nodes: how long (ms) work one node at a time may do (a judge run, a session's affinity
   * map) stays claimed by a node that stopped renewing its claim (it died). Every node also looks
   * this often for judge runs left `running` that no node works on, and takes them up.
   */
  readonly leaseTtlMs: number;
  /**
   * Several nodes: least time (ms) between the starts of two reads of the board streams from Redis
   * (`RelayOptions.readGapMs`): entries arriving meanwhile come in one reply. 0 reads again at once.
   */
  readonly relayReadGapMs: number;
}

/**
 * The transport limits' defaults, shared by {@link loadConfig} and `buildApp` (which tests call
 * with a partial config).
 */
export const transportDefaults = {
  requestTimeoutMs: 30_000,
  socketPingMs: 20_000,
  socketIdleMs: 30_000,
  maxSocketsPerToken: 20,
  maxSocketsPerAddress: 200,
} as const satisfies Partial<Config>;

/** The chat limits' defaults, shared by {@link loadConfig} and the chat routes. */
export const chatDefaults = {
  modelTimeoutMs: 30_000,
  modelIdleMs: 30_000,
  modelRetries: 2,
  chatRateLimit: 20,
  chatMaxChars: 8_000,
} as const satisfies Partial<Config>;

/** A setting that cannot be used, named so the operator can fix it. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  // `allow`/`deny` read naturally for the download switches (`CALMA_MODEL_DOWNLOADS=allow`).
  if (['1', 'true', 'yes', 'on', 'allow'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off', 'deny'].includes(raw)) return false;
  throw new ConfigError(`${name} must be 1 or 0, got "${raw}"`);
}

/** `CALMA_ALLOWED_ORIGINS`: `*`, or comma-separated `http(s)://host[:port]` origins (normalised). */
function origins(env: Env, name: string): readonly string[] | '*' {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return [];
  if (raw === '*') return '*';
  return raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const url = URL.canParse(entry) ? new URL(entry) : null;
      if (!url || !['http:', 'https:'].includes(url.protocol) || url.pathname.replace(/\/+$/, '') !== '') {
        throw new ConfigError(
          `${name} must be * or comma-separated origins such as https://calma.example.org, got "${entry}"`,
        );
      }
      return url.origin;
    });
}

/**
 * The built web app sits at `apps/web/dist`. This file is at `apps/server/src/config.ts` during
 * development and bundled into `apps/server/dist/main.js` in production: the same depth, so one
 * relative URL serves both.
 */
const defaultWebDir = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/** Reads and validates the environment; throws {@link ConfigError} naming the bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const databaseUrl = env.DATABASE_URL?.trim() || null;
  const dataDir = resolve(env.CALMA_DATA_DIR?.trim() || '.calma');
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must start with postgres:// or postgresql://');
  }
  const adminToken = env.CALMA_ADMIN_TOKEN?.trim() || null;
  if (adminToken !== null && adminToken.length < 22) {
    throw new ConfigError('CALMA_ADMIN_TOKEN must be at least 22 characters (128 bits of base64)');
  }
  const logLevel = (env.CALMA_LOG_LEVEL?.trim() || 'warn') as Config['logLevel'];
  if (!logLevels.includes(logLevel)) {
    throw new ConfigError(`CALMA_LOG_LEVEL must be one of ${logLevels.join(', ')}`);
  }
  // `CALMA_REDIS_URL`, or `REDIS_URL` as the contract names it (like the unprefixed DATABASE_URL).
  const redisUrl = env.CALMA_REDIS_URL?.trim() || env.REDIS_URL?.trim() || null;
  if (redisUrl !== null && !/^rediss?:\/\//.test(redisUrl)) {
    throw new ConfigError('CALMA_REDIS_URL must start with redis:// or rediss://');
  }
  if (redisUrl !== null && databaseUrl === null) {
    // Each node would otherwise keep its own embedded database: sessions would split between them.
    throw new ConfigError(
      'CALMA_REDIS_URL runs several nodes, which must share one PostgreSQL: set DATABASE_URL too (the embedded database belongs to one process)',
    );
  }
  const webDir = env.CALMA_WEB_DIR?.trim();
  const publicUrl = env.CALMA_PUBLIC_URL?.trim().replace(/\/+$/, '') || null;
  if (publicUrl !== null && !/^https?:\/\/[^/]+/.test(publicUrl)) {
    throw new ConfigError('CALMA_PUBLIC_URL must be an http:// or https:// URL');
  }
  return {
    host: env.HOST?.trim() || '127.0.0.1',
    port: integer(env, 'PORT', 8080, 0, 65535),
    dataDir,
    databaseUrl,
    adminToken,
    seedDemo: flag(env, 'CALMA_SEED_DEMO', databaseUrl === null),
    pgliteOptimizeWasm: flag(env, 'CALMA_PGLITE_OPTIMIZE_WASM', false),
    logLevel,
    bodyLimit: integer(env, 'CALMA_BODY_LIMIT', 4 * 1024 * 1024, 1024, 256 * 1024 * 1024),
    joinRateLimit: integer(env, 'CALMA_JOIN_RATE_LIMIT', 30, 1, 1_000_000),
    webDir: webDir === '' ? null : resolve(webDir ?? defaultWebDir),
    publicUrl,
    trustProxy: flag(env, 'CALMA_TRUST_PROXY', false),
    boardMaxUpdateBytes: integer(env, 'CALMA_BOARD_MAX_UPDATE_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    boardMaxDocBytes: integer(env, 'CALMA_BOARD_MAX_DOC_BYTES', 32 * 1024 * 1024, 16 * 1024, 1024 * 1024 * 1024),
    boardCompactEvery: integer(env, 'CALMA_BOARD_COMPACT_EVERY', 500, 10, 1_000_000),
    boardBatchMs: integer(env, 'CALMA_BOARD_BATCH_MS', defaultBoardBatchMs, 0, 1000),
    boardMomentEveryMs: integer(env, 'CALMA_BOARD_MOMENT_MS', 30_000, 100, 24 * 3_600_000),
    embeddingModel: env.CALMA_EMBEDDING_MODEL?.trim() ?? '',
    embeddingDownloads: flag(env, 'CALMA_EMBEDDING_DOWNLOADS', false),
    staticModelDir: env.CALMA_STATIC_MODEL_DIR?.trim() ? resolve(env.CALMA_STATIC_MODEL_DIR.trim()) : null,
    modelsDir: resolve(env.CALMA_MODELS_DIR?.trim() || join(dataDir, 'models')),
    modelDownloads: flag(env, 'CALMA_MODEL_DOWNLOADS', false),
    mapMaxCards: integer(env, 'CALMA_MAP_MAX_CARDS', 10_000, 3, 200_000),
    requestTimeoutMs: integer(env, 'CALMA_REQUEST_TIMEOUT_MS', transportDefaults.requestTimeoutMs, 1000, 3_600_000),
    socketPingMs: integer(env, 'CALMA_SOCKET_PING_MS', transportDefaults.socketPingMs, 1000, 600_000),
    socketIdleMs: integer(env, 'CALMA_SOCKET_IDLE_MS', transportDefaults.socketIdleMs, 1000, 600_000),
    maxSocketsPerToken: integer(env, 'CALMA_MAX_SOCKETS_PER_TOKEN', transportDefaults.maxSocketsPerToken, 1, 100_000),
    maxSocketsPerAddress: integer(
      env,
      'CALMA_MAX_SOCKETS_PER_ADDRESS',
      transportDefaults.maxSocketsPerAddress,
      1,
      1_000_000,
    ),
    allowedOrigins: origins(env, 'CALMA_ALLOWED_ORIGINS'),
    modelTimeoutMs: integer(env, 'CALMA_MODEL_TIMEOUT_MS', chatDefaults.modelTimeoutMs, 100, 3_600_000),
    modelIdleMs: integer(env, 'CALMA_MODEL_IDLE_MS', chatDefaults.modelIdleMs, 100, 3_600_000),
    modelRetries: integer(env, 'CALMA_MODEL_RETRIES', chatDefaults.modelRetries, 0, 10),
    chatRateLimit: integer(env, 'CALMA_CHAT_RATE_LIMIT', chatDefaults.chatRateLimit, 1, 100_000),
    chatMaxChars: integer(env, 'CALMA_CHAT_MAX_CHARS', chatDefaults.chatMaxChars, 1, 1_000_000),
    redisUrl,
    drainDelayMs: integer(env, 'CALMA_DRAIN_DELAY_MS', redisUrl === null ? 0 : 2_000, 0, 600_000),
    leaseTtlMs: integer(env, 'CALMA_LEASE_TTL_MS', 30_000, 300, 3_600_000),
    relayReadGapMs: integer(env, 'CALMA_RELAY_READ_GAP_MS', defaultRelayReadGapMs, 0, 1000),
  };
}
