import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';

/** The repository root. */
export const root = fileURLToPath(new URL('../..', import.meta.url));

export const readText = (path: string) => readFileSync(join(root, path), 'utf8');

/** One YAML file; merge keys (`<<: *anchor`) applied, as Docker Compose applies them. */
export const readYaml = <T = unknown>(path: string): T => parse(readText(path), { merge: true }) as T;

/** Every document of a YAML file. */
export const readYamlDocuments = (path: string): unknown[] =>
  parseAllDocuments(readText(path)).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc.toJS();
  });

/**
 * The environment variables the server reads: every `env.NAME` / `env, 'NAME'` in
 * apps/server/src/config.ts, and the demo's chat model settings read where the demo is seeded.
 */
export function serverEnvNames(): Set<string> {
  const names = new Set<string>();
  for (const file of ['apps/server/src/config.ts', 'apps/server/src/seed/demo-models.ts']) {
    const text = readText(file);
    for (const match of text.matchAll(/\benv\.([A-Z][A-Z0-9_]*)\b/g)) names.add(match[1] as string);
    for (const match of text.matchAll(/\benv, '([A-Z][A-Z0-9_]*)'/g)) names.add(match[1] as string);
  }
  return names;
}

/**
 * Names set for the nodes that the server does not read itself, each with why. `OPENAI_API_KEY`:
 * read by name from a study model's `apiKeyEnv`.
 */
export const passThroughEnv = new Set(['OPENAI_API_KEY']);

/** A directive of an nginx configuration: name, arguments, and the block it opens (if any). */
export interface NginxDirective {
  name: string;
  args: string[];
  block: NginxDirective[] | null;
}

/** Parses nginx's configuration syntax (directives, blocks, quotes, comments); enough for ours. */
export function parseNginx(text: string): NginxDirective[] {
  const tokens: string[] = [];
  const pattern = /#[^\n]*|'([^']*)'|"([^"]*)"|([{};])|([^\s{};'"#]+)/g;
  for (const match of text.matchAll(pattern)) {
    if (match[0].startsWith('#')) continue;
    tokens.push(match[1] ?? match[2] ?? match[3] ?? (match[4] as string));
  }
  let at = 0;
  const block = (nested: boolean): NginxDirective[] => {
    const out: NginxDirective[] = [];
    while (at < tokens.length) {
      if (tokens[at] === '}') {
        if (!nested) throw new Error('unbalanced }');
        at++;
        return out;
      }
      const name = tokens[at++] as string;
      const args: string[] = [];
      while (at < tokens.length && tokens[at] !== ';' && tokens[at] !== '{') args.push(tokens[at++] as string);
      if (tokens[at] === '{') {
        at++;
        out.push({ name, args, block: block(true) });
      } else {
        at++;
        out.push({ name, args, block: null });
      }
    }
    if (nested) throw new Error('unclosed {');
    return out;
  };
  return block(false);
}

/** The directives named `name` among `directives`. */
export const directives = (list: readonly NginxDirective[], name: string) => list.filter((d) => d.name === name);

/** nginx's time syntax (`1h`, `3600s`, `90`) in seconds. */
export function nginxSeconds(value: string): number {
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(value);
  if (!match) throw new Error(`not an nginx time: ${value}`);
  const factor = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] ?? 's'] as number;
  return Number(match[1]) * factor;
}

/** Compose's duration syntax (`40s`, `1m30s`) in seconds. */
export function composeSeconds(value: string): number {
  let total = 0;
  for (const match of value.matchAll(/(\d+)(h|m|s)/g))
    total += Number(match[1]) * { h: 3600, m: 60, s: 1 }[match[2] as 'h'];
  return total;
}
