/**
 * `pnpm bench <name>`: runs one benchmark from this folder and prints its figures. Benchmarks,
 * not tests, are where performance targets are checked.
 */
const benches: Record<string, string> = {
  session: './session.ts',
  board: './board/index.ts',
  sessions: './board/sessions.ts',
  map: './map.ts',
  quality: './quality.ts',
  move: './move.ts',
  hardening: './hardening.ts',
  chat: './chat.ts',
  coding: './coding.ts',
  startup: './startup.ts',
  cluster: './cluster/index.ts',
};

const name = process.argv[2];
const file = name ? benches[name] : undefined;
if (!file) {
  console.error(`usage: pnpm bench <${Object.keys(benches).join('|')}>`);
  process.exit(2);
}
await import(file);
