import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildOutputs, installOutputs, recordStamp, stampState } from '../scripts/start-stamp.mjs';

/** `npm start`'s stamp on a miniature clone: when install and build may be skipped, and when not. */
describe('the start stamp', () => {
  let root: string;
  const write = (file: string, text: string) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  };
  /** As the launcher does: install and build, stamping each. */
  const installAndBuild = () => {
    const state = stampState(root);
    for (const file of installOutputs) write(file, `installed ${Math.random()}`);
    recordStamp(root, state, 'install');
    for (const file of buildOutputs) write(file, `built ${Math.random()}`);
    recordStamp(root, state, 'build');
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'calma-stamp-'));
    write('package.json', '{"name":"calma"}');
    write('pnpm-lock.yaml', 'lockfileVersion: 9.0\n');
    write('pnpm-workspace.yaml', 'packages: [apps/*, packages/*]\n');
    write('tsconfig.base.json', '{}');
    write('apps/server/package.json', '{"name":"@calma/server"}');
    write('apps/server/src/main.ts', 'console.log(1);\n');
    write('packages/db/package.json', '{"name":"@calma/db"}');
    write('packages/db/src/client.ts', 'export const a = 1;\n');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('skips nothing on a fresh clone, and both steps once they ran on unchanged inputs', () => {
    expect(stampState(root)).toMatchObject({ installFresh: false, buildFresh: false });
    const state = stampState(root);
    for (const file of installOutputs) write(file, 'installed');
    recordStamp(root, state, 'install');
    expect(stampState(root)).toMatchObject({ installFresh: true, buildFresh: false });
    installAndBuild();
    expect(stampState(root)).toMatchObject({ installFresh: true, buildFresh: true });
  });

  it('rebuilds after a source changes, is added or removed, but not after a rewrite with the same content', () => {
    installAndBuild();
    write('packages/db/src/client.ts', 'export const a = 1;\n');
    utimesSync(join(root, 'packages/db/src/client.ts'), new Date(), new Date(Date.now() + 60_000));
    expect(stampState(root)).toMatchObject({ installFresh: true, buildFresh: true });

    write('packages/db/src/client.ts', 'export const a = 2;\n');
    expect(stampState(root)).toMatchObject({ installFresh: true, buildFresh: false });
    installAndBuild();
    write('apps/server/src/new-route.ts', 'export {};\n');
    expect(stampState(root).buildFresh).toBe(false);
    installAndBuild();
    rmSync(join(root, 'apps/server/src/new-route.ts'));
    expect(stampState(root).buildFresh).toBe(false);
  });

  it('reinstalls and rebuilds after the lockfile, a manifest or Node changes', () => {
    installAndBuild();
    write('pnpm-lock.yaml', 'lockfileVersion: 9.0\n# another dependency\n');
    expect(stampState(root)).toMatchObject({ installFresh: false, buildFresh: false });
    installAndBuild();
    write('packages/db/package.json', '{"name":"@calma/db","dependencies":{"x":"1"}}');
    expect(stampState(root)).toMatchObject({ installFresh: false, buildFresh: false });
    installAndBuild();
    expect(stampState(root, 'v99.0.0 linux x64')).toMatchObject({ installFresh: false, buildFresh: false });
  });

  it('redoes a step whose output is missing or was remade outside the launcher (another branch)', () => {
    installAndBuild();
    write('apps/server/dist/main.js', 'built by hand on another branch');
    expect(stampState(root)).toMatchObject({ installFresh: true, buildFresh: false });
    installAndBuild();
    rmSync(join(root, 'apps/web/dist/index.html'));
    expect(stampState(root).buildFresh).toBe(false);
    installAndBuild();
    write('node_modules/.modules.yaml', 'installed by hand');
    expect(stampState(root)).toMatchObject({ installFresh: false, buildFresh: false });
  });

  it('ignores dependencies, build outputs and data directories under the sources', () => {
    installAndBuild();
    write('apps/server/node_modules/x/index.js', 'x');
    write('apps/server/dist/other.js', 'x');
    write('packages/embeddings/model/calma--glove/meta.json', '{}');
    write('apps/server/.calma/pglite/PG_VERSION', '18');
    expect(stampState(root)).toMatchObject({ installFresh: true, buildFresh: true });
  });
});
