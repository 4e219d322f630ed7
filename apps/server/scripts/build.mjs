// Bundles the server into dist/main.js. Workspace packages (@calma/*) are bundled in, because
// their exports point at TypeScript sources; every other dependency stays external and is
// loaded from node_modules at run time.
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const external = Object.keys(pkg.dependencies ?? {}).filter((name) => !name.startsWith('@calma/'));
// The bundled workspace packages' own dependencies must be the server's too: at run time they
// resolve from apps/server/node_modules (pnpm links only what a package declares).
for (const ws of ['db', 'core', 'protocol']) {
  const wsPkg = JSON.parse(readFileSync(new URL(`../../../packages/${ws}/package.json`, import.meta.url), 'utf8'));
  const missing = Object.keys(wsPkg.dependencies ?? {}).filter(
    (d) => !d.startsWith('@calma/') && !external.includes(d),
  );
  if (missing.length > 0)
    throw new Error(`apps/server/package.json must list ${missing.join(', ')} (used by @calma/${ws})`);
}

const started = Date.now();
await build({
  entryPoints: [new URL('../src/main.ts', import.meta.url).pathname],
  outfile: new URL('../dist/main.js', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external: [...new Set(external)].flatMap((name) => [name, `${name}/*`]),
  logLevel: 'warning',
});
console.log(`server bundled into apps/server/dist/main.js in ${Date.now() - started} ms`);
