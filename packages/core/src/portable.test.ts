import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Every source file of core, tests and test helpers (`testing.ts`, Node only, reached through
 * `@calma/core/testing`) left out.
 */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    const source = entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && entry.name !== 'testing.ts';
    return source ? [path] : [];
  });
}

describe('@calma/core', () => {
  // The web app imports core: a Node built-in there breaks every page at load (seen once with
  // `node:crypto` in the REFI-QDA GUIDs).
  it('imports no Node built-in, so it runs in the browser as well', () => {
    const here = fileURLToPath(new URL('.', import.meta.url));
    const offenders = sources(here).filter((file) =>
      /from ['"](node:|fs['"]|path['"]|crypto['"]|os['"])/.test(readFileSync(file, 'utf8')),
    );
    expect(offenders.map((f) => f.slice(here.length))).toEqual([]);
  });

  it('leaves its Node-only test helpers out of what the web app bundles', () => {
    const here = fileURLToPath(new URL('.', import.meta.url));
    const offenders = sources(here).filter((file) =>
      /from ['"][^'"]*\/testing(\.js)?['"]/.test(readFileSync(file, 'utf8')),
    );
    expect(offenders.map((f) => f.slice(here.length))).toEqual([]);
  });
});
