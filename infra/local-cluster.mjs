#!/usr/bin/env node
// What docker-compose.yml runs, without Docker: a throwaway PostgreSQL (Debian's initdb/pg_ctl),
// redis-server, two Calma nodes from the built bundle and Debian's nginx with the same proxy
// configuration (infra/nginx/calma.conf, its node addresses and port replaced by loopback ones).
//
//   pnpm --filter @calma/web build && node apps/server/scripts/build.mjs
//   node infra/local-cluster.mjs [--port 8080] [--nodes 2] [--check] [--across]
//
// It prints the proxy's URL; Ctrl-C stops everything and removes the throwaway data. `--check`
// starts everything, checks through the proxy that the app and /api/health/ready answer and that
// WebSockets upgrade on /yjs/ and /socket.io/, then stops and exits 0 (or 1 naming what failed).
// `--across` (implies --check) also serves one session from two nodes: a board note and a control
// action taken on one node reach clients of the other (needs the nodes' Redis fan-out).
// Needs: postgresql, redis-server, nginx (Debian packages; `apt-get install -y nginx`).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
/** The proxy configuration compose mounts into the nginx image. */
export const siteConfigPath = join(root, 'infra/nginx/calma.conf');
/** The node addresses in {@link siteConfigPath}, as compose names them. */
const composeNode = /\bcalma-(\d+):8080\b/g;

/**
 * `infra/nginx/calma.conf` for nodes on other addresses: each `calma-N:8080` becomes the N-th of
 * `nodes` (extra nodes join every upstream), and `listen 80;` becomes `listen <listen>;`.
 * @param {string} site @param {{ nodes: string[], listen: string }} options
 */
export function renderSiteConfig(site, { nodes, listen }) {
  if (!/^\s*listen 80;$/m.test(site)) throw new Error('calma.conf has no "listen 80;" line to replace');
  let out = site.replace(/^(\s*)listen 80;$/m, `$1listen ${listen};`);
  // Each upstream lists calma-1 … calma-K; the rendered one lists every given node instead.
  out = out.replace(/((?:^[ \t]*server calma-\d+:8080[^\n]*\n)+)/gm, (block) => {
    const first = block.split('\n')[0] ?? '';
    return nodes.map((node) => `${first.replace(composeNode, node)}\n`).join('');
  });
  const stray = out.split('\n').find((line) => !line.trim().startsWith('#') && /\bcalma-\d+:8080\b/.test(line));
  if (stray !== undefined) throw new Error(`calma.conf names a node outside an upstream block: ${stray.trim()}`);
  return out;
}

/**
 * A whole nginx.conf around a rendered site, with every file nginx writes (pid, logs, temporary
 * bodies) under `dir`, so it runs next to any other nginx and as any user.
 * @param {{ dir: string, site: string }} options
 */
export function mainConfig({ dir, site }) {
  const temp = (name) => join(dir, 'temp', name);
  return `# Written by infra/local-cluster.mjs; see infra/nginx/calma.conf.
daemon off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log stderr warn;
${isRoot() ? 'user root;\n' : ''}events {
    worker_connections 4096;
}
http {
    access_log off;
    client_body_temp_path ${temp('body')};
    proxy_temp_path ${temp('proxy')};
    fastcgi_temp_path ${temp('fastcgi')};
    uwsgi_temp_path ${temp('uwsgi')};
    scgi_temp_path ${temp('scgi')};
${site
  .split('\n')
  .map((line) => (line === '' ? '' : `    ${line}`))
  .join('\n')}
}
`;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;
const onPath = (tool) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool], { stdio: 'ignore' }).status === 0;

/** Debian's nginx binary, or null. */
export function findNginx() {
  if (onPath('nginx')) return 'nginx';
  return existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : null;
}

/** Where initdb and pg_ctl are (as tests/support and packages/db/src/testing find them). */
function postgresTool(tool) {
  if (onPath(tool)) return tool;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin', tool)))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions[0]) throw new Error(`${tool} not found: apt-get install -y postgresql`);
  return join(base, versions[0], 'bin', tool);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (line) => console.log(`\u001b[1m[cluster]\u001b[0m ${line}`);

/** Waits until `url` answers 200, or throws after `ms`. */
async function waitFor(url, ms, what) {
  const until = Date.now() + ms;
  let last = 'no answer';
  while (Date.now() < until) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(200);
  }
  throw new Error(`${what} not ready after ${ms / 1000} s (${url}: ${last})`);
}

function parseArgs(argv) {
  const options = { port: 8080, nodes: 2, check: false, across: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--check') options.check = true;
    else if (arg === '--across') options.across = true;
    else if (arg === '--port') options.port = Number(argv[++i]);
    else if (arg === '--nodes') options.nodes = Number(argv[++i]);
    else throw new Error(`unknown argument ${arg}; use --port N, --nodes N, --check, --across`);
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) throw new Error('--port: 0–65535');
  if (!Number.isInteger(options.nodes) || options.nodes < 1 || options.nodes > 9) throw new Error('--nodes: 1–9');
  return options;
}

/** Everything started, stopped in the reverse order. */
class Cluster {
  /** @type {{ name: string, stop: () => Promise<void> }[]} */
  parts = [];
  dir = mkdtempSync(join(tmpdir(), 'calma-cluster-'));

  /** Spawns a long-running process whose output is prefixed with `name`. */
  spawn(name, argv, options = {}) {
    const [cmd, ...args] = argv;
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let output = '';
    const prefix = (chunk) => {
      output += chunk.toString();
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') console.log(`[${name}] ${line}`);
    };
    child.stdout.on('data', prefix);
    child.stderr.on('data', prefix);
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
    child.once('exit', (code, signal) => {
      if (!this.stopping) log(`${name} exited (${code ?? signal}) while the cluster ran`);
    });
    this.parts.push({
      name,
      stop: async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const done = await Promise.race([exited.then(() => true), sleep(40_000).then(() => false)]);
        if (!done) child.kill('SIGKILL');
      },
    });
    return { child, exited, output: () => output };
  }

  async postgres() {
    const dir = join(this.dir, 'postgres');
    mkdirSync(dir);
    const asOwner = (argv) => (isRoot() ? ['runuser', '-u', 'postgres', '--', ...argv] : argv);
    // PostgreSQL refuses to run as root: as root it runs as Debian's `postgres` user.
    if (isRoot()) {
      chmodSync(this.dir, 0o777);
      chmodSync(dir, 0o777);
    }
    const exec = (argv) => {
      const [cmd, ...args] = asOwner(argv);
      const result = spawnSync(cmd, args, { encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`${argv.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
    };
    const port = await freePort();
    const data = join(dir, 'data');
    exec([postgresTool('initdb'), '-D', data, '--auth=trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C']);
    exec([
      postgresTool('pg_ctl'),
      '-w',
      '-D',
      data,
      '-l',
      join(dir, 'server.log'),
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
      'start',
    ]);
    this.parts.push({
      name: 'postgres',
      stop: async () => {
        // Ctrl-C in a terminal reaches the whole process group: PostgreSQL may have stopped itself.
        const [cmd, ...args] = asOwner([postgresTool('pg_ctl'), '-D', data, 'status']);
        if (spawnSync(cmd, args, { stdio: 'ignore' }).status !== 0) return;
        exec([postgresTool('pg_ctl'), '-D', data, '-m', 'fast', '-w', 'stop']);
      },
    });
    log(`PostgreSQL on 127.0.0.1:${port}`);
    return `postgres://postgres@127.0.0.1:${port}/postgres`;
  }

  async redis() {
    if (!onPath('redis-server')) throw new Error('redis-server not found: apt-get install -y redis-server');
    const port = await freePort();
    // As in docker-compose.yml: fan-out only, nothing kept on disk.
    this.spawn('redis', [
      'redis-server',
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      this.dir,
    ]);
    for (let i = 0; i < 50; i++) {
      if (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG') break;
      await sleep(100);
    }
    log(`Redis on 127.0.0.1:${port}`);
    return `redis://127.0.0.1:${port}`;
  }

  /** One Calma node; resolves with its URL once /api/health/ready answers 200. */
  async node(index, env) {
    const port = await freePort();
    const dataDir = join(this.dir, `node-${index}`);
    this.spawn(`calma-${index}`, [process.execPath, 'apps/server/dist/main.js'], {
      env: { ...process.env, ...env, HOST: '127.0.0.1', PORT: String(port), CALMA_DATA_DIR: dataDir },
    });
    const url = `http://127.0.0.1:${port}`;
    await waitFor(`${url}/api/health/ready`, 90_000, `calma-${index}`);
    log(`calma-${index} ready on ${url}`);
    return url;
  }

  async nginx(listenPort, nodes) {
    const nginx = findNginx();
    if (!nginx) throw new Error('nginx not found: apt-get install -y nginx');
    const dir = join(this.dir, 'nginx');
    for (const name of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'])
      mkdirSync(join(dir, 'temp', name), { recursive: true });
    const site = renderSiteConfig(readFileSync(siteConfigPath, 'utf8'), { nodes, listen: `127.0.0.1:${listenPort}` });
    const file = join(dir, 'nginx.conf');
    writeFileSync(file, mainConfig({ dir, site }));
    const tested = spawnSync(nginx, ['-t', '-q', '-p', dir, '-c', file], { encoding: 'utf8' });
    if (tested.status !== 0) throw new Error(`nginx -t failed:\n${tested.stderr}`);
    this.spawn('nginx', [nginx, '-p', dir, '-c', file]);
    const url = `http://127.0.0.1:${listenPort}`;
    await waitFor(`${url}/api/health`, 10_000, 'nginx');
    log(`nginx on ${url} (configuration: ${file})`);
    return url;
  }

  async stop() {
    if (this.stopping) return this.stopping;
    this.stopping = (async () => {
      for (const part of this.parts.reverse()) {
        try {
          await part.stop();
        } catch (err) {
          log(`stopping ${part.name}: ${err instanceof Error ? err.message : err}`);
        }
      }
      rmSync(this.dir, { recursive: true, force: true });
    })();
    return this.stopping;
  }
}

/** Opens a WebSocket through the proxy; resolves with what the server did with it. */
function upgrade(url) {
  const require = createRequire(join(root, 'tests/package.json'));
  const { WebSocket } = require('ws');
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`${url}: no answer in 10 s`));
    }, 10_000);
    ws.once('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      reject(new Error(`${url}: HTTP ${res.statusCode} instead of 101 Switching Protocols`));
    });
    ws.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    ws.once('message', (data) => {
      clearTimeout(timer);
      ws.close();
      resolve({ opened: true, first: data.toString().slice(0, 80), code: null });
    });
    ws.once('close', (code) => {
      clearTimeout(timer);
      resolve({ opened: true, first: null, code });
    });
  });
}

/** The checks of `--check`, through the proxy; throws naming the first that fails. */
async function check(proxy, nodes, adminToken) {
  const page = await fetch(`${proxy}/`);
  const html = await page.text();
  const webBuilt = existsSync(join(root, 'apps/web/dist/index.html'));
  if (webBuilt && (page.status !== 200 || !html.includes('<div id="root">'))) {
    throw new Error(`GET / through the proxy: HTTP ${page.status}, not the web app`);
  }
  log(`GET / → ${page.status}${webBuilt ? ' (the web app)' : ' (apps/web/dist not built: API only)'}`);
  const ready = await fetch(`${proxy}/api/health/ready`);
  if (ready.status !== 200) throw new Error(`GET /api/health/ready through the proxy: HTTP ${ready.status}`);
  log(`GET /api/health/ready → 200 ${JSON.stringify(await ready.json())}`);
  for (const node of nodes) {
    const direct = await fetch(`${node}/api/health/ready`);
    if (direct.status !== 200) throw new Error(`${node}/api/health/ready: HTTP ${direct.status}`);
  }
  log(`every node ready (${nodes.length})`);
  const wsProxy = proxy.replace(/^http/, 'ws');
  // The board admits or refuses after the upgrade, with a close code: 101 then a close is the proof.
  const board = await upgrade(`${wsProxy}/yjs/00000000-0000-0000-0000-000000000000?token=not-a-token`);
  log(`/yjs/ upgraded through the proxy (then closed by the node with ${board.code ?? 'a message'})`);
  // engine.io's first frame on a WebSocket: the open packet, "0{"sid":…}".
  const control = await upgrade(`${wsProxy}/socket.io/?EIO=4&transport=websocket`);
  if (!control.first?.startsWith('0{')) throw new Error(`/socket.io/: no engine.io open packet (${control.first})`);
  log(`/socket.io/ upgraded through the proxy: ${control.first}…`);
  // socket.io-client, as the admin: on the WebSocket transport (the web app's) and on long-polling
  // (several requests of one engine.io session: they reach one node only if the proxy pins them).
  const { io } = await import(
    pathToFileURL(createRequire(join(root, 'package.json')).resolve('socket.io-client')).href
  );
  for (const transports of [['websocket'], ['polling']]) {
    const socket = io(proxy, { auth: { token: adminToken }, transports, reconnection: false, timeout: 10_000 });
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', (err) => reject(new Error(`socket.io (${transports}): ${err.message}`)));
    });
    // A few round trips on the same session (polling: each is a new HTTP request).
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => socket.emit('session:join', { sessionId: 'none' }, resolve));
    }
    socket.close();
    log(`socket.io connected and answered 5 times over ${transports[0]}`);
  }
}

/**
 * The checks of `--across`: one session served from two nodes. Clients connect to the nodes
 * directly (not through the proxy), so that they are on different nodes for sure: a participant's
 * board note written on the first node reaches a participant on the second, and a control action
 * taken on the first reaches the second's socket.io clients. This needs the nodes to share fan-out
 * through Redis (CALMA_REDIS_URL); nodes that ignore it fail here.
 */
async function checkAcross(nodes, adminToken) {
  const [first, second] = nodes;
  if (!first || !second) throw new Error('--across needs two nodes or more');
  const http = async (base, method, path, token, body) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(json)}`);
    return json;
  };
  const study = await http(first, 'POST', '/api/studies', adminToken, {
    title: 'Across nodes',
    context: { name: 'Across nodes', description: '', systemPrompt: '' },
  });
  const group = await http(first, 'POST', `/api/studies/${study.id}/groups`, adminToken, { name: 'G' });
  const session = await http(first, 'POST', `/api/groups/${group.id}/sessions`, group.moderatorToken);
  await http(first, 'POST', `/api/sessions/${session.id}/control`, group.moderatorToken, {
    action: 'start',
    segment: 2,
    durationMs: 3_600_000,
  });
  const people = [];
  for (const displayName of ['ana', 'bo']) {
    people.push(
      await http(first, 'POST', '/api/join', null, { inviteCode: group.inviteCode, displayName, consent: true }),
    );
  }
  const [ana, bo] = people;
  const until = async (predicate, what, ms = 5_000) => {
    const deadline = Date.now() + ms;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(5);
    }
  };

  // The control channel: a participant on each node; the moderator pauses through the first.
  const { io } = await import(
    pathToFileURL(createRequire(join(root, 'package.json')).resolve('socket.io-client')).href
  );
  const sockets = [];
  const states = [[], []];
  for (const [i, node] of [first, second].entries()) {
    const socket = io(node, { auth: { token: people[i].token }, transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    socket.on('session:state', ({ state }) => states[i].push(state));
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    await new Promise((resolve) => socket.emit('session:join', { sessionId: session.id }, resolve));
  }
  await http(first, 'POST', `/api/sessions/${session.id}/control`, group.moderatorToken, { action: 'pause' });
  try {
    await until(() => states[0].length > 0 && states[1].length === states[0].length, 'the pause on the second node');
    if (JSON.stringify(states[0]) !== JSON.stringify(states[1])) throw new Error('the nodes told different states');
  } finally {
    for (const socket of sockets) socket.close();
  }
  log(`session:state after a pause on ${first}: the same ${states[1].length} state(s) on ${second}`);

  // The board: ana on the first node writes a note; bo on the second sees it.
  const fromTests = createRequire(join(root, 'tests/package.json'));
  const load = async (name) => import(pathToFileURL(fromTests.resolve(name)).href);
  const Y = await load('yjs');
  const { WebsocketProvider } = await load('y-websocket');
  const { WebSocket } = fromTests('ws');
  const boards = [];
  for (const [i, node] of [first, second].entries()) {
    const doc = new Y.Doc();
    const provider = new WebsocketProvider(`${node.replace(/^http/, 'ws')}/yjs`, session.id, doc, {
      params: { token: people[i].token },
      WebSocketPolyfill: WebSocket,
      disableBc: true,
    });
    boards.push({ doc, provider });
    await new Promise((resolve, reject) => {
      provider.once('sync', resolve);
      setTimeout(() => reject(new Error(`board on ${node}: no sync in 10 s`)), 10_000);
    });
  }
  try {
    const [a, b] = boards;
    a.doc.transact(() => {
      const card = new Y.Map();
      for (const [k, v] of Object.entries({ kind: 'note', text: 'across', x: 0, y: 0, authorId: ana.participantId }))
        card.set(k, v);
      a.doc.getMap('cards').set('note-across', card);
    });
    await until(() => b.doc.getMap('cards').has('note-across'), `bo on ${second} to see ana's note`);
    log(`board: a note written on ${first} reached a client on ${second} (bo: ${bo.participantId})`);
  } finally {
    for (const board of boards) {
      board.provider.destroy();
      board.doc.destroy();
    }
  }
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (!existsSync(join(root, 'apps/server/dist/main.js'))) {
    throw new Error('No server bundle: pnpm --filter @calma/web build && node apps/server/scripts/build.mjs');
  }
  const cluster = new Cluster();
  let interrupted = false;
  const onSignal = (signal) => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: stopping (the nodes drain first)`);
    void cluster.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const databaseUrl = await cluster.postgres();
    const redisUrl = await cluster.redis();
    if (options.across) options.check = true;
    const proxyPort = options.port === 0 || options.check ? await freePort() : options.port;
    const publicUrl = `http://127.0.0.1:${proxyPort}`;
    const adminToken = process.env.CALMA_ADMIN_TOKEN?.trim() || randomBytes(24).toString('base64url');
    const env = {
      DATABASE_URL: databaseUrl,
      CALMA_REDIS_URL: redisUrl,
      CALMA_ADMIN_TOKEN: adminToken,
      CALMA_TRUST_PROXY: '1',
      CALMA_PUBLIC_URL: publicUrl,
      CALMA_SEED_DEMO: process.env.CALMA_SEED_DEMO ?? '1',
      CALMA_LOG_LEVEL: process.env.CALMA_LOG_LEVEL ?? 'warn',
    };
    // One after the other, as compose starts calma-2 once calma-1 is ready: the first node runs
    // the migrations and seeds the demo alone.
    const nodes = [];
    for (let i = 1; i <= options.nodes; i++) nodes.push(await cluster.node(i, env));
    const proxy = await cluster.nginx(
      proxyPort,
      nodes.map((url) => url.replace('http://', '')),
    );
    if (options.check) {
      await check(proxy, nodes, adminToken);
      if (options.across) await checkAcross(nodes, adminToken);
      log('all checks passed');
      await cluster.stop();
      process.exit(0);
    }
    log(`Calma on ${options.nodes} node(s): open ${publicUrl} (admin token: ${adminToken}). Ctrl-C stops.`);
  } catch (err) {
    log(`failed: ${err instanceof Error ? err.message : err}`);
    await cluster.stop();
    process.exit(1);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
