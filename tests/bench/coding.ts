/**
 * `pnpm bench coding`: initial coding under load. Starts the built server (a child process, so its
 * CPU is its own) on the embedded database, then on a throwaway PostgreSQL, with a 200-turn study
 * (200 baseline conversations of one prompt and one answer) and 5,000 distinct codes in the group.
 * 30 coders (BENCH_CODERS) code at once for BENCH_SECONDS (default 30): each second each types a
 * code (one suggestion query for text never seen before, so the server embeds it and ranks every
 * code by prefix and by meaning) and adds one (a span or the whole turn, half with a note). Each
 * request's time is taken as the coder sees it. Then one typist alone makes 5 × BENCH_QUERIES
 * (default 40) queries. The first query (which loads the group's codes and their vectors) is
 * reported apart.
 * Targets: save p99 ≤ 50 ms; autocomplete p99 ≤ 50 ms.
 */
import {
  adminToken,
  type BenchDatabase,
  call,
  cpuSeconds,
  databaseName,
  log,
  machineLoad,
  onEachDatabase,
  percentileHeader,
  percentileRow,
  sleep,
  withBenchServer,
} from './support.js';

const coders = Number(process.env.BENCH_CODERS ?? 30);
const seconds = Number(process.env.BENCH_SECONDS ?? 30);
const queriesEach = Number(process.env.BENCH_QUERIES ?? 40);
const turnCount = 200;
const codeCount = 5000;

const words = [
  'warm',
  'cold',
  'kind',
  'curt',
  'formal',
  'casual',
  'vague',
  'precise',
  'biased',
  'fair',
  'polite',
  'blunt',
  'hedging',
  'confident',
  'timid',
  'preachy',
  'neutral',
  'nuanced',
  'shallow',
  'deep',
  'factual',
  'wrong',
  'outdated',
  'current',
  'western',
  'local',
  'global',
  'religious',
  'secular',
  'gendered',
  'inclusive',
  'dismissive',
  'caring',
  'clinical',
  'verbose',
  'terse',
  'funny',
  'dry',
  'safe',
  'risky',
  'moralising',
  'respectful',
  'rude',
  'helpful',
  'evasive',
  'honest',
  'misleading',
  'balanced',
  'one-sided',
  'empathetic',
  'cautious',
  'bold',
  'simple',
  'technical',
  'patient',
  'hasty',
  'generic',
  'specific',
  'stereotyped',
  'sensitive',
  'tone-deaf',
  'hopeful',
  'gloomy',
  'clear',
  'confusing',
  'polished',
  'awkward',
  'humble',
  'arrogant',
  'accurate',
  'sloppy',
  'thorough',
];
const nouns = ['tone', 'answer', 'framing', 'advice', 'facts', 'history', 'language', 'example', 'view', 'style'];

/** 5,000 distinct codes: two words, or a word and a noun, as people write them. */
function distinctCodes(): string[] {
  const out = new Set<string>();
  for (const a of words) for (const n of nouns) out.add(`${a} ${n}`);
  for (const a of words) for (const b of words) if (a !== b && out.size < codeCount) out.add(`${a} and ${b}`);
  return [...out].slice(0, codeCount);
}

async function measure(kind: BenchDatabase, databaseUrl: string | null): Promise<boolean> {
  log(`${kind}: starting the built server`);
  return withBenchServer('coding', databaseUrl, {}, async ({ server, pid }) => {
    const study = await call(server, 'POST', '/api/studies', adminToken, {
      title: 'Bench',
      context: { name: 'Bench', description: '', systemPrompt: '' },
    });
    const group = await call(server, 'POST', `/api/studies/${study.id}/groups`, adminToken, { name: 'G' });
    const moderator = group.moderatorToken ?? '';
    const turns = Array.from({ length: turnCount }, (_, i) => ({
      id: `bench-${i}`,
      baseline: true,
      messages: [
        { role: 'user', content: `Question ${i}: how do families here mark the harvest festival?` },
        {
          role: 'assistant',
          content: `Answer ${i}: many families gather for a meal, visit relatives and give thanks; customs differ by region, faith and history, and some mark the day with quiet reflection instead. 🍂`,
        },
      ],
    }));
    await call(server, 'POST', `/api/groups/${group.id}/interactions`, moderator, { interactions: turns });
    const codes = distinctCodes();
    await call(server, 'POST', `/api/groups/${group.id}/labels`, moderator, {
      labels: codes.map((text, i) => ({
        text,
        stage: 'initial',
        interactionId: `bench-${i % turnCount}`,
        messageIndex: 1,
      })),
    });
    log(`${kind}: ${turnCount} turns and ${codes.length} distinct codes stored`);
    const people: string[] = [];
    for (let i = 0; i < coders; i++) {
      const joined = await call(server, 'POST', '/api/join', null, {
        inviteCode: group.inviteCode,
        displayName: `C${i}`,
        consent: true,
      });
      people.push(joined.token ?? '');
    }
    log(`${kind}: ${coders} coders joined`);
    const suggestPath = (q: string) => `/api/groups/${group.id}/codes/suggest?${new URLSearchParams({ q })}`;
    let started = performance.now();
    await call(server, 'GET', suggestPath('warm'), people[0] ?? '');
    const firstQueryMs = performance.now() - started;
    log(`${kind}: first suggestion (loads and embeds the group's codes) in ${firstQueryMs.toFixed(0)} ms`);
    // Warm-up, not counted: connections, compiled code.
    await Promise.all(people.map((p, i) => call(server, 'GET', suggestPath(`warm-up ${i}`), p)));
    await Promise.all(
      people.map((p) =>
        call(server, 'POST', `/api/groups/${group.id}/labels`, p, {
          labels: [{ text: 'warm-up', stage: 'initial', interactionId: 'bench-0', messageIndex: 1 }],
        }),
      ),
    );

    // Coding at once: every second each coder types a code (one suggestion query for text never
    // seen before, so the server embeds it and ranks every code) and adds it (a save).
    const saves: number[] = [];
    const queries: number[] = [];
    let withMeaning = 0;
    let failedSaves = 0;
    let failedQueries = 0;
    const cpuBefore = cpuSeconds(pid);
    started = performance.now();
    const progress = setInterval(
      () =>
        log(
          `${kind}: coding… ${saves.length} codes added, ${queries.length} suggestions, ${((performance.now() - started) / 1000).toFixed(0)} s`,
        ),
      5000,
    );
    await Promise.all(
      people.map(async (token, c) => {
        await sleep(Math.random() * 1000);
        for (let s = 0; s < seconds; s++) {
          const due = performance.now() + 1000;
          const typed = `${words[(c * 7 + s * 13) % words.length]} ${nouns[s % nouns.length]?.slice(0, 1 + (s % 4))} ${c}-${s}`;
          let t0 = performance.now();
          try {
            const { suggestions } = await call<{ suggestions: { by: string }[] }>(
              server,
              'GET',
              suggestPath(typed),
              token,
            );
            queries.push(performance.now() - t0);
            if (suggestions.some((x) => x.by === 'meaning')) withMeaning++;
          } catch {
            failedQueries++;
          }
          const turn = Math.floor(Math.random() * turnCount);
          const start = Math.floor(Math.random() * 60);
          const label = {
            text: codes[Math.floor(Math.random() * codes.length)] ?? 'x',
            stage: 'initial',
            interactionId: `bench-${turn}`,
            messageIndex: 1,
            ...(s % 2 === 0 ? { span: { start, end: start + 10 + Math.floor(Math.random() * 40) } } : {}),
            ...(c % 2 === 0 ? { annotation: 'Why: the answer speaks for everyone at once.' } : {}),
          };
          t0 = performance.now();
          try {
            await call(server, 'POST', `/api/groups/${group.id}/labels`, token, { labels: [label] });
            saves.push(performance.now() - t0);
          } catch {
            failedSaves++;
          }
          await sleep(Math.max(0, due - performance.now()));
        }
      }),
    );
    clearInterval(progress);
    const wall = (performance.now() - started) / 1000;
    const cpu = cpuSeconds(pid) - cpuBefore;

    // One typist alone: what a suggestion costs without the others' load.
    const alone: number[] = [];
    for (let q = 0; q < queriesEach * 5; q++) {
      const t0 = performance.now();
      await call(server, 'GET', suggestPath(`${words[q % words.length]} ${q} alone`), people[0] ?? '');
      alone.push(performance.now() - t0);
    }

    console.log(
      `\nInitial coding on ${databaseName(kind)} (loopback): ${turnCount}-turn study, ${codes.length} distinct codes, ${coders} coders`,
    );
    percentileHeader();
    const saveP99 = percentileRow('save a code (ms)', saves);
    const queryP99 = percentileRow('autocomplete by meaning (ms)', queries);
    percentileRow('  one typist alone (ms)', alone);
    console.log(
      `${saves.length} codes added and ${queries.length} suggestions in ${wall.toFixed(1)} s (${((saves.length + queries.length) / wall).toFixed(1)} requests/s); ${withMeaning} answers had suggestions by meaning; failed saves ${failedSaves}, failed suggestions ${failedQueries}`,
    );
    console.log(
      `server CPU ${cpu.toFixed(1)} s over ${wall.toFixed(1)} s (${((cpu / wall) * 100).toFixed(0)}% of one core); first suggestion (loads the group's codes) ${firstQueryMs.toFixed(0)} ms`,
    );
    console.log(machineLoad());
    const met = saveP99 <= 50 && queryP99 <= 50 && failedSaves === 0 && failedQueries === 0;
    console.log(
      met
        ? `target met: save p99 ${saveP99.toFixed(2)} ms ≤ 50 ms, autocomplete p99 ${queryP99.toFixed(2)} ms ≤ 50 ms`
        : `TARGET MISSED: save p99 ${saveP99.toFixed(2)} ms, autocomplete p99 ${queryP99.toFixed(2)} ms (≤ 50 ms each), failures ${failedSaves + failedQueries}`,
    );
    return met;
  });
}

await onEachDatabase(measure);
process.exit(0);
