// The start stamp of `npm start` (scripts/calma.mjs): whether `pnpm install` and the build can be
// skipped because nothing they read has changed since this launcher last ran them. Plain
// JavaScript, like the launcher: it runs before any dependency is installed.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * What decides whether `pnpm install` has anything to do: the lockfile, the workspace's
 * manifests and pnpm's settings (the Node that runs is added by {@link stampState}: native
 * packages are per platform).
 */
function installInputs(root) {
  // A folder without a manifest (a build output's parent, say) is not a workspace package.
  const manifests = ['apps', 'packages']
    .flatMap((dir) =>
      existsSync(join(root, dir)) ? readdirSync(join(root, dir)).map((name) => `${dir}/${name}/package.json`) : [],
    )
    .filter((file) => existsSync(join(root, file)));
  return ['pnpm-lock.yaml', 'pnpm-workspace.yaml', 'package.json', '.npmrc', 'tests/package.json', ...manifests];
}

/** Folders under apps/ and packages/ that are not sources: dependencies and build outputs. */
const notSources = new Set(['node_modules', 'dist', 'coverage', 'test-results', 'packages/embeddings/model']);

/**
 * Every file that feeds the build: all of apps/ and packages/ but dependencies, outputs and
 * dot-folders (a data directory, a tool's cache), and the root's TypeScript settings. Tests
 * beside the code are included: a needless rebuild costs seconds, a stale bundle a wrong answer.
 */
function buildInputs(root) {
  const files = ['tsconfig.base.json', 'tsconfig.json'];
  const walk = (rel) => {
    for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = `${rel}/${entry.name}`;
      if (entry.name.startsWith('.') && entry.isDirectory()) continue;
      if (notSources.has(entry.name) || notSources.has(path)) continue;
      if (entry.isDirectory()) walk(path);
      else files.push(path);
    }
  };
  for (const dir of ['apps', 'packages']) if (existsSync(join(root, dir))) walk(dir);
  return files;
}

/** SHA-256 of `extra` and the files' names and contents (a missing file counts, as missing). */
function digest(root, files, extra) {
  const hash = createHash('sha256').update(extra);
  for (const file of [...files].sort()) {
    const path = join(root, file);
    hash.update(`\0${file}\0`);
    hash.update(existsSync(path) ? readFileSync(path) : '\0missing');
  }
  return hash.digest('hex');
}

/** Size and modification time of what an install or a build leaves: changed by any other run. */
function fingerprint(root, files) {
  return files
    .map((file) => {
      const path = join(root, file);
      if (!existsSync(path)) return `${file}:missing`;
      const stat = statSync(path);
      return `${file}:${stat.size}:${stat.mtimeMs}`;
    })
    .join('\n');
}

/** What `pnpm install` leaves (pnpm rewrites both on every install). */
export const installOutputs = ['node_modules/.modules.yaml', 'node_modules/.pnpm/lock.yaml'];
/** What `pnpm run build` leaves, all of which `npm start` needs. */
export const buildOutputs = [
  'apps/server/dist/main.js',
  'apps/server/dist/layout-worker.js',
  'apps/server/dist/local-model-worker.js',
  'apps/server/dist/pglite-template/.calma-template.json',
  'apps/web/dist/index.html',
];

const stampFile = (root) => join(root, 'node_modules/.calma-start.json');

function readStamp(root) {
  try {
    return JSON.parse(readFileSync(stampFile(root), 'utf8'));
  } catch {
    return {};
  }
}

/**
 * Where install and build stand against the stamp (`node_modules/.calma-start.json`): the digests
 * of their inputs now, and whether each can be skipped. Any doubt means redoing a step: a changed
 * input, an output missing, or an output touched since the stamp was written (a `pnpm build` or
 * `pnpm install` by hand, maybe on another branch, which the stamp knows nothing about).
 */
export function stampState(root, node = `${process.version} ${process.platform} ${process.arch}`) {
  const stamp = readStamp(root);
  const install = digest(root, installInputs(root), node);
  // The build's inputs include the install's: new dependencies mean a new bundle.
  const build = digest(root, buildInputs(root), install);
  const outputsAsStamped = (files, stamped) =>
    files.every((f) => existsSync(join(root, f))) && stamped === fingerprint(root, files);
  const installFresh = stamp.install === install && outputsAsStamped(installOutputs, stamp.installOutputs);
  const buildFresh = installFresh && stamp.build === build && outputsAsStamped(buildOutputs, stamp.buildOutputs);
  return { install, build, installFresh, buildFresh };
}

/**
 * Records that `step` ('install' or 'build') has just succeeded for the inputs `state` saw
 * (digested before the step ran: a source changed meanwhile makes the next start redo it).
 * An install alone clears the build's record: the build must follow it.
 */
export function recordStamp(root, state, step) {
  const stamp = { install: state.install, installOutputs: fingerprint(root, installOutputs) };
  if (step === 'build') Object.assign(stamp, { build: state.build, buildOutputs: fingerprint(root, buildOutputs) });
  mkdirSync(dirname(stampFile(root)), { recursive: true });
  writeFileSync(stampFile(root), `${JSON.stringify(stamp, null, 2)}\n`);
}
