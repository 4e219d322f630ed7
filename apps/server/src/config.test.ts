import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('defaults to the embedded database on 127.0.0.1:8080 with the demo seeded', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ host: '127.0.0.1', port: 8080, databaseUrl: null, seedDemo: true });
    expect(config.dataDir.endsWith('.calma')).toBe(true);
  });

  it('runs PGlite on baseline WebAssembly unless asked to optimise it', () => {
    expect(loadConfig({}).pgliteOptimizeWasm).toBe(false);
    expect(loadConfig({ CALMA_PGLITE_OPTIMIZE_WASM: '1' }).pgliteOptimizeWasm).toBe(true);
    expect(() => loadConfig({ CALMA_PGLITE_OPTIMIZE_WASM: 'fast' })).toThrow(/CALMA_PGLITE_OPTIMIZE_WASM/);
  });

  it('does not seed the demo on PostgreSQL unless asked', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db' }).seedDemo).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db', CALMA_SEED_DEMO: '1' }).seedDemo).toBe(true);
    expect(loadConfig({ CALMA_SEED_DEMO: '0' }).seedDemo).toBe(false);
  });

  it('finds local chat models under the data directory unless told, and downloads them only when allowed', () => {
    expect(loadConfig({ CALMA_DATA_DIR: '/data' })).toMatchObject({ modelsDir: '/data/models', modelDownloads: false });
    expect(loadConfig({ CALMA_MODELS_DIR: '/m', CALMA_MODEL_DOWNLOADS: 'allow' })).toMatchObject({
      modelsDir: '/m',
      modelDownloads: true,
    });
    expect(() => loadConfig({ CALMA_MODEL_DOWNLOADS: 'maybe' })).toThrow('CALMA_MODEL_DOWNLOADS');
  });

  it('has chat limits: model timeouts, retries, a rate and a length limit', () => {
    expect(loadConfig({})).toMatchObject({
      modelTimeoutMs: 30_000,
      modelIdleMs: 30_000,
      modelRetries: 2,
      chatRateLimit: 20,
      chatMaxChars: 8_000,
    });
    expect(loadConfig({ CALMA_MODEL_TIMEOUT_MS: '5000', CALMA_MODEL_RETRIES: '0' })).toMatchObject({
      modelTimeoutMs: 5_000,
      modelRetries: 0,
    });
    expect(() => loadConfig({ CALMA_MODEL_TIMEOUT_MS: '5s' })).toThrow(/CALMA_MODEL_TIMEOUT_MS/);
    expect(() => loadConfig({ CALMA_MODEL_RETRIES: '50' })).toThrow(/CALMA_MODEL_RETRIES/);
  });

  it('takes a public URL for printed links, without a trailing slash', () => {
    expect(loadConfig({ CALMA_PUBLIC_URL: 'https://calma.example.org/' }).publicUrl).toBe('https://calma.example.org');
  });

  it('has transport limits, and reads allowed origins as normalised origins or *', () => {
    expect(loadConfig({})).toMatchObject({
      requestTimeoutMs: 30_000,
      socketPingMs: 20_000,
      socketIdleMs: 30_000,
      maxSocketsPerToken: 20,
      maxSocketsPerAddress: 200,
      allowedOrigins: [],
    });
    expect(
      loadConfig({ CALMA_ALLOWED_ORIGINS: ' https://a.example.org/ , http://localhost:5173,' }).allowedOrigins,
    ).toEqual(['https://a.example.org', 'http://localhost:5173']);
    expect(loadConfig({ CALMA_ALLOWED_ORIGINS: '*' }).allowedOrigins).toBe('*');
    expect(loadConfig({ CALMA_REQUEST_TIMEOUT_MS: '5000' }).requestTimeoutMs).toBe(5000);
  });

  it.each([
    [{ CALMA_REQUEST_TIMEOUT_MS: '10' }, /CALMA_REQUEST_TIMEOUT_MS/],
    [{ CALMA_SOCKET_PING_MS: 'soon' }, /CALMA_SOCKET_PING_MS/],
    [{ CALMA_SOCKET_IDLE_MS: '0' }, /CALMA_SOCKET_IDLE_MS/],
    [{ CALMA_MAX_SOCKETS_PER_TOKEN: '0' }, /CALMA_MAX_SOCKETS_PER_TOKEN/],
    [{ CALMA_MAX_SOCKETS_PER_ADDRESS: '-1' }, /CALMA_MAX_SOCKETS_PER_ADDRESS/],
    [{ CALMA_ALLOWED_ORIGINS: 'calma.example.org' }, /CALMA_ALLOWED_ORIGINS/],
    [{ CALMA_ALLOWED_ORIGINS: 'https://calma.example.org/board' }, /CALMA_ALLOWED_ORIGINS/],
    [{ CALMA_ALLOWED_ORIGINS: 'ftp://calma.example.org' }, /CALMA_ALLOWED_ORIGINS/],
  ])('names the bad transport setting in %o', (env, name) => {
    expect(() => loadConfig(env)).toThrow(name);
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ PORT: '70000' }, /PORT/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
    [{ CALMA_ADMIN_TOKEN: 'short' }, /CALMA_ADMIN_TOKEN/],
    [{ CALMA_SEED_DEMO: 'maybe' }, /CALMA_SEED_DEMO/],
    [{ CALMA_LOG_LEVEL: 'loud' }, /CALMA_LOG_LEVEL/],
    [{ CALMA_PUBLIC_URL: 'calma.example.org' }, /CALMA_PUBLIC_URL/],
    [{ CALMA_TRUST_PROXY: 'sometimes' }, /CALMA_TRUST_PROXY/],
  ])('names the bad variable in %o', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(name);
  });

  it('runs one node without Redis, and several with Redis only on a shared PostgreSQL', () => {
    expect(loadConfig({})).toMatchObject({ redisUrl: null, drainDelayMs: 0 });
    const pg = { DATABASE_URL: 'postgres://u@h/db' };
    expect(loadConfig({ ...pg, CALMA_REDIS_URL: 'redis://r:6379' })).toMatchObject({
      redisUrl: 'redis://r:6379',
      drainDelayMs: 2_000,
    });
    expect(loadConfig({ ...pg, REDIS_URL: 'rediss://r:6380' }).redisUrl).toBe('rediss://r:6380');
    expect(loadConfig({ ...pg, CALMA_REDIS_URL: 'redis://a', REDIS_URL: 'redis://b' }).redisUrl).toBe('redis://a');
    expect(loadConfig({ ...pg, CALMA_REDIS_URL: 'redis://r', CALMA_DRAIN_DELAY_MS: '0' }).drainDelayMs).toBe(0);
    expect(loadConfig({}).leaseTtlMs).toBe(30_000);
    expect(loadConfig({ CALMA_LEASE_TTL_MS: '1000' }).leaseTtlMs).toBe(1_000);
    expect(() => loadConfig({ CALMA_LEASE_TTL_MS: '10' })).toThrow(/CALMA_LEASE_TTL_MS/);
    expect(loadConfig({}).relayReadGapMs).toBe(5);
    expect(loadConfig({ CALMA_RELAY_READ_GAP_MS: '0' }).relayReadGapMs).toBe(0);
    expect(() => loadConfig({ CALMA_RELAY_READ_GAP_MS: '-1' })).toThrow(/CALMA_RELAY_READ_GAP_MS/);
    expect(() => loadConfig({ CALMA_REDIS_URL: 'redis://r:6379' })).toThrow(ConfigError);
    expect(() => loadConfig({ CALMA_REDIS_URL: 'redis://r:6379' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ ...pg, CALMA_REDIS_URL: 'http://r' })).toThrow(/redis:\/\//);
  });
});
