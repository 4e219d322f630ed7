// Bundles the server into dist/main.js. Workspace packages (@calma/*) are bundled in, because
// their exports point at TypeScript sources; every other dependency stays external and is
// loaded from node_modules at run time.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const external = Object.keys(pkg.dependencies ?? {}).filter((name) => !name.startsWith('@calma/'));
// The bundled workspace packages' own dependencies must be the server's too: at run time they
// resolve from apps/server/node_modules (pnpm links only what a package declares).
for (const ws of ['db', 'core', 'protocol', 'embeddings', 'models']) {
  const wsPkg = JSON.parse(readFileSync(new URL(`../../../packages/${ws}/package.json`, import.meta.url), 'utf8'));
  const missing = Object.keys(wsPkg.dependencies ?? {}).filter(
    (d) => !d.startsWith('@calma/') && !external.includes(d),
  );
  if (missing.length > 0)
    throw new Error(`apps/server/package.json must list ${missing.join(', ')} (used by @calma/${ws})`);
}

const started = Date.now();
// The layout worker is a second entry point: worker threads load it by file, beside main.js.
await build({
  entryPoints: {
    main: new URL('../src/main.ts', import.meta.url).pathname,
    'layout-worker': new URL('../../../packages/embeddings/src/layout/worker.ts', import.meta.url).pathname,
    // The local model provider's generation thread (@calma/models' LocalProvider looks for it here).
    'local-model-worker': new URL('../../../packages/models/src/local-worker.ts', import.meta.url).pathname,
    // Makes dist/pglite-template (below), with the same code that later copies it.
    'pglite-template': new URL('../src/startup/pglite-template.ts', import.meta.url).pathname,
  },
  outdir: new URL('../dist/', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external: [...new Set(external)].flatMap((name) => [name, `${name}/*`]),
  logLevel: 'warning',
});
// The offline embedding model (built by @calma/embeddings' build) ships beside the bundle.
const models = new URL('../../../packages/embeddings/model/', import.meta.url).pathname;
const target = new URL('../dist/models/', import.meta.url).pathname;
if (!existsSync(models)) throw new Error('packages/embeddings/model is missing: build @calma/embeddings first');
rmSync(target, { recursive: true, force: true });
cpSync(models, target, { recursive: true });
console.log(
  `server bundled into apps/server/dist (main.js, layout-worker.js, local-model-worker.js, models/) in ${Date.now() - started} ms`,
);
// A new embedded data directory starts as a copy of this initdb'd one (see @calma/db createDb).
const template = spawnSync(
  process.execPath,
  [
    new URL('../dist/pglite-template.js', import.meta.url).pathname,
    new URL('../dist/pglite-template', import.meta.url).pathname,
  ],
  { stdio: 'inherit' },
);
if (template.status !== 0) throw new Error('making the PGlite template failed');
