import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** Every source file of core, tests left out. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
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
});
