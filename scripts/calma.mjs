#!/usr/bin/env node
// The two Quick start commands, `npm start` and `npm test` (or `pnpm start` / `pnpm test`), land
// here. This file is plain JavaScript on purpose: it runs on a fresh clone before any dependency
// (TypeScript included) is installed. It gets pnpm, installs the locked dependencies, then starts
// Calma or runs every check CI runs.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { recordStamp, stampState } from './start-stamp.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const pnpmVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1];
const command = process.argv[2];

const log = (message) => console.log(`\u001b[1m[calma]\u001b[0m ${message}`);

/** pnpm 10 as installed, or fetched from the npm registry through npx when it is not. */
function pnpmCommand() {
  const found = spawnSync('pnpm', ['--version'], { encoding: 'utf8', shell: process.platform === 'win32' });
  if (found.status === 0 && found.stdout.trim().split('.')[0] === pnpmVersion.split('.')[0]) return ['pnpm'];
  return ['npx', '--yes', `pnpm@${pnpmVersion}`];
}

function run(argv, options = {}) {
  const [cmd, ...args] = argv;
  const started = Date.now();
  if (options.title) log(`${options.title} …`);
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: options.env ?? process.env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    log(`${options.title ?? argv.join(' ')} failed after ${seconds} s`);
    return false;
  }
  if (options.title) log(`${options.title}: done in ${seconds} s`);
  return true;
}

/**
 * The Debian packages the test suite uses, each with where it is found once installed (`tool` on
 * PATH, or one of `paths`). The tests only locate these tools: installing them is this script's
 * job, so that nothing inside vitest runs apt-get. `wanted` leaves out a package the tests will not
 * use because the environment names a replacement.
 */
const systemPackages = [
  {
    name: 'postgresql',
    tool: 'initdb',
    paths: ['/usr/lib/postgresql/*/bin/initdb'],
    wanted: () => !process.env.CALMA_TEST_DATABASE_URL?.trim(),
  },
  { name: 'chromium', paths: ['/usr/bin/chromium'], wanted: () => !process.env.CALMA_CHROMIUM?.trim() },
  { name: 'libxml2-utils', tool: 'xmllint', paths: ['/usr/bin/xmllint'] },
  { name: 'redis-server', tool: 'redis-server', paths: ['/usr/bin/redis-server'] },
  { name: 'nginx', tool: 'nginx', paths: ['/usr/sbin/nginx'] },
  // Fonts for the browser tests' screenshots of Hindi (Devanagari) and Arabic (right-to-left) text.
  { name: 'fonts-lohit-deva', paths: ['/usr/share/fonts/truetype/lohit-devanagari'] },
  { name: 'fonts-sil-scheherazade', paths: ['/usr/share/fonts/truetype/scheherazade'] },
];

const onPath = (tool) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool], { stdio: 'ignore' }).status === 0;

/** Whether a path exists; a `*` segment (a version directory) matches any entry there. */
function pathExists(pattern) {
  const parts = pattern.split('/');
  const star = parts.indexOf('*');
  if (star === -1) return existsSync(pattern);
  const dir = parts.slice(0, star).join('/') || '/';
  if (!existsSync(dir)) return false;
  return readdirSync(dir).some((entry) =>
    pathExists([...parts.slice(0, star), entry, ...parts.slice(star + 1)].join('/')),
  );
}

const isInstalled = (pkg) => (pkg.tool !== undefined && onPath(pkg.tool)) || pkg.paths.some(pathExists);

/**
 * Installs the missing system packages in one `apt-get update` and one `apt-get install`, when we
 * may (root with apt-get); does nothing when all are there. Without root or apt it names what is
 * missing and goes on: the tests that need a missing tool then fail, naming its package.
 */
function systemPackagesStep() {
  const title = `system packages (apt): ${systemPackages.map((p) => p.name).join(', ')}`;
  const wanted = systemPackages.filter((p) => p.wanted?.() ?? true);
  const missing = wanted.filter((p) => !isInstalled(p)).map((p) => p.name);
  if (missing.length === 0) {
    log(`${title}: present`);
    return true;
  }
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || !existsSync('/usr/bin/apt-get')) {
    log(
      `${title}: missing ${missing.join(', ')} (apt-get install ${missing.join(' ')} as root); tests that need them will fail`,
    );
    return true;
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const installArgv = ['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...missing];
  if (!run(['apt-get', 'update', '-qq'], { title: `${title}: apt-get update`, env })) return false;
  if (!run(installArgv, { title: `${title}: apt-get install ${missing.join(' ')}`, env })) return false;
  const notFound = wanted.filter((p) => missing.includes(p.name) && !isInstalled(p)).map((p) => p.name);
  if (notFound.length > 0) log(`${title}: installed, but still not found: ${notFound.join(', ')}`);
  return notFound.length === 0;
}

function install(pnpm) {
  return run([...pnpm, 'install', '--frozen-lockfile', '--prefer-offline'], { title: 'installing dependencies' });
}

async function start() {
  const started = Date.now();
  const state = stampState(root);
  if (state.installFresh && state.buildFresh) {
    log(`dependencies and build up to date (checked in ${Date.now() - started} ms)`);
  } else {
    const pnpm = pnpmCommand();
    if (!state.installFresh) {
      if (!install(pnpm)) process.exit(1);
      recordStamp(root, state, 'install');
    }
    if (!run([...pnpm, 'run', 'build'], { title: 'building server and web app' })) process.exit(1);
    // The digests are those from before the build: a source changed meanwhile rebuilds next time.
    recordStamp(root, state, 'build');
  }
  // The server runs in this process rather than a child: one Node less to boot and to keep
  // resident (~50 MB) for as long as Calma runs, and signals reach the server directly.
  process.chdir(root);
  // The server's start-up line tells this script's time (checks, a build) from its own.
  process.env.CALMA_LAUNCHED_AT_MS = String(performance.now());
  await import(pathToFileURL(join(root, 'apps/server/dist/main.js')).href);
}

/** Every check CI runs, in CI's order, then one closing line `tests: N passed, N failed`. */
async function test() {
  const pnpm = pnpmCommand();
  const steps = [
    () => install(pnpm),
    systemPackagesStep,
    () => run([...pnpm, 'run', 'typecheck'], { title: 'type-checking (tsc)' }),
    () => run([...pnpm, 'run', 'lint'], { title: 'linting (biome)' }),
    () => run([...pnpm, 'run', 'build'], { title: 'building server and web app' }),
  ];
  for (const step of steps) if (!step()) process.exit(1);
  const report = join(root, 'test-results/vitest.json');
  const ok = run(
    [...pnpm, 'exec', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
    {
      title: 'running the test suite (vitest; PGlite and a throwaway PostgreSQL)',
    },
  );
  if (existsSync(report)) {
    const r = JSON.parse(readFileSync(report, 'utf8'));
    console.log(
      `tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`,
    );
    if (r.numTotalTests === 0) {
      log('no test ran');
      process.exit(1);
    }
  }
  process.exit(ok ? 0 : 1);
}

if (command === 'start') await start();
else if (command === 'test') await test();
else {
  console.error('usage: node scripts/calma.mjs start|test');
  process.exit(2);
}
