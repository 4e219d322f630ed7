/**
 * `pnpm bench chat`: what Calma adds to a streamed answer. Starts the built server (a child
 * process, so its CPU is its own) on the embedded database and a wire-format fake OpenAI server
 * here, streaming 50 tokens/s. N participants (default 50) post a message at once, R rounds; for
 * each answer Calma's added time to first token is when this process read the first `token` event
 * less when the fake wrote that token (one clock: both are in this process). Every answer's tokens
 * are compared with what the fake sent and with what Calma stored: none dropped, none reordered.
 */
import { defaultOrientation } from '@calma/core';
import { startFakeOpenAI } from '@calma/models/testing';
import {
  adminToken,
  type BenchDatabase,
  call,
  cpuSeconds,
  databaseName,
  machineLoad,
  onEachDatabase,
  percentileHeader,
  percentileRow,
  type Running,
  sleep,
  withBenchServer,
} from './support.js';

const participants = Number(process.env.BENCH_PARTICIPANTS ?? 50);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const tokensPerSecond = Number(process.env.BENCH_TOKENS_PER_SECOND ?? 50);
const answerTokens = 50;
/** Burst: everyone sends at the same instant each round; otherwise each sends after a think time. */
const burst = process.env.BENCH_BURST === '1';
const thinkMs = Number(process.env.BENCH_THINK_MS ?? 1000);

/** One streamed answer: when each token event arrived, and the texts in order. */
async function ask(server: Running, token: string, conversationId: string, content: string) {
  const res = await fetch(`${server.url}/api/conversations/${conversationId}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ content }),
  });
  const reader = res.body?.getReader();
  if (!reader) throw new Error('no body');
  const decoder = new TextDecoder();
  let buffer = '';
  let firstTokenAt = Number.NaN;
  const tokens: string[] = [];
  let end = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let split = buffer.indexOf('\n\n');
    while (split >= 0) {
      const block = buffer.slice(0, split);
      buffer = buffer.slice(split + 2);
      split = buffer.indexOf('\n\n');
      const event = /^event: (.+)$/m.exec(block)?.[1];
      const data = /^data: (.+)$/m.exec(block)?.[1] ?? '{}';
      if (event === 'token') {
        if (tokens.length === 0) firstTokenAt = performance.now();
        tokens.push((JSON.parse(data) as { text: string }).text);
      } else if (event === 'done' || event === 'error') end = event;
    }
  }
  return { firstTokenAt, tokens, end };
}

async function measure(kind: BenchDatabase, databaseUrl: string | null): Promise<void> {
  const words = Array.from({ length: answerTokens }, (_, i) => `w${i}`);
  // Each participant's answer is its own, so a token crossing into another stream would show.
  const fake = await startFakeOpenAI({
    tokensPerSecond,
    reply: (body) => {
      const messages = body.messages as { content: string }[];
      const tag = messages.at(-1)?.content.split(' ')[0] ?? '';
      return words.map((w) => `${tag}-${w}`).join(' ');
    },
  });
  try {
    await withBenchServer('chat', databaseUrl, { CALMA_CHAT_RATE_LIMIT: '100000' }, async ({ server, pid }) => {
      const study = await call(server, 'POST', '/api/studies', adminToken, {
        title: 'Bench',
        context: { name: 'Bench', description: '', systemPrompt: 'You are a bench.' },
      });
      await call(server, 'PUT', `/api/studies/${study.id}/models`, adminToken, {
        models: [{ id: 'fake', label: 'Fake', provider: 'openai', baseUrl: fake.baseUrl, model: 'fake-model' }],
        assignment: 'fixed',
      });
      // The bench measures chatting: the comprehension check is not required in this study.
      await call(server, 'PUT', `/api/studies/${study.id}/orientation`, adminToken, {
        ...defaultOrientation('en'),
        required: false,
      });
      const group = await call(server, 'POST', `/api/studies/${study.id}/groups`, adminToken, { name: 'G' });
      const people: { token: string; conversationId: string; tag: string }[] = [];
      for (let i = 0; i < participants; i++) {
        const joined = await call(server, 'POST', '/api/join', null, {
          inviteCode: group.inviteCode,
          displayName: `P${i}`,
          consent: true,
        });
        const conversation = await call(
          server,
          'POST',
          `/api/groups/${group.id}/conversations`,
          joined.token ?? '',
          {},
        );
        people.push({ token: joined.token ?? '', conversationId: conversation.id ?? '', tag: `p${i}` });
      }
      // A warm-up answer for everyone, not counted: connections open, code compiled, caches warm.
      // What a cold start costs is the first round's row (answer 1) when BENCH_WARMUP=0.
      if (process.env.BENCH_WARMUP !== '0') {
        await Promise.all(people.map((p) => ask(server, p.token, p.conversationId, `${p.tag}r0 warm up`)));
      }

      const added: number[] = [];
      const fakeTtft: number[] = [];
      const seen: number[] = [];
      const relay: number[] = [];
      // In burst mode every participant waits for the others before the next round.
      const arrived = new Map<number, number>();
      const waiting = new Map<number, () => void>();
      const gate = new Map<number, Promise<void>>();
      const barrier = (round: number) => {
        if (!gate.has(round)) gate.set(round, new Promise<void>((resolve) => waiting.set(round, resolve)));
        arrived.set(round, (arrived.get(round) ?? 0) + 1);
        if (arrived.get(round) === participants) waiting.get(round)?.();
        return gate.get(round) as Promise<void>;
      };
      let dropped = 0;
      let reordered = 0;
      let failed = 0;
      let storedMismatch = 0;
      const cpuBefore = cpuSeconds(pid);
      const benchCpuBefore = process.cpuUsage();
      const wallStart = performance.now();
      const results = await Promise.all(
        people.map(async (p) => {
          const mine = [];
          for (let round = 1; round <= rounds; round++) {
            // Each participant reads the answer, thinks, and asks again: 50 conversations at once.
            if (!burst) await sleep(Math.random() * thinkMs);
            const tag = `${p.tag}r${round}`;
            const sentAt = performance.now();
            const answer = await ask(server, p.token, p.conversationId, `${tag} tell me`);
            mine.push({ p, tag, round, sentAt, answer });
            if (burst) await barrier(round);
          }
          return mine;
        }),
      );
      const byRound = new Map<number, number[]>();
      for (const { p, tag, round, sentAt, answer } of results.flat()) {
        const request = fake.requests.find(
          (r) => (r.body.messages as { content: string }[]).at(-1)?.content === `${tag} tell me`,
        );
        if (!request || answer.end !== 'done' || request.firstTokenAt === undefined) {
          failed++;
          continue;
        }
        const sent = request.tokens;
        if (answer.tokens.length < sent.length) dropped += sent.length - answer.tokens.length;
        else if (answer.tokens.join('\u0000') !== sent.join('\u0000')) reordered++;
        const own = request.firstTokenAt - request.receivedAt;
        fakeTtft.push(own);
        seen.push(answer.firstTokenAt - sentAt);
        added.push(answer.firstTokenAt - sentAt - own);
        byRound.set(round, [...(byRound.get(round) ?? []), answer.firstTokenAt - sentAt - own]);
        relay.push(answer.firstTokenAt - request.firstTokenAt);
        void p;
      }
      // What was stored is what was streamed (the last answer of each conversation).
      for (const p of people) {
        const last = results
          .flat()
          .filter((r) => r.p === p)
          .at(-1);
        const stored = (await (
          await fetch(`${server.url}/api/conversations/${p.conversationId}`, {
            headers: { authorization: `Bearer ${p.token}` },
          })
        ).json()) as { messages: { content: string }[] };
        if (stored.messages.at(-1)?.content !== last?.answer.tokens.join('')) storedMismatch++;
      }
      const wallS = (performance.now() - wallStart) / 1000;
      const cpuS = cpuSeconds(pid) - cpuBefore;
      const benchCpu = process.cpuUsage(benchCpuBefore);
      const benchCpuS = (benchCpu.user + benchCpu.system) / 1e6;
      console.log(
        `\n${participants} participants chatting at once (${burst ? 'all sending at the same instant' : `each asking again after a think time of up to ${thinkMs} ms`}), ${rounds} answers each; fake model streaming ${tokensPerSecond} tokens/s, ${answerTokens} tokens per answer (${databaseName(kind)}, loopback)`,
      );
      percentileHeader();
      const p99 = percentileRow("Calma's added TTFT (ms)", added);
      percentileRow("  fake's own TTFT (ms)", fakeTtft);
      percentileRow('  participant-seen TTFT (ms)', seen);
      percentileRow('  relay: fake token → client', relay);
      for (const [round, list] of [...byRound].sort((a, b) => a[0] - b[0])) {
        percentileRow(`  added TTFT, answer ${round}`, list);
      }
      console.log(
        `answers ${added.length}, failed ${failed}, tokens dropped ${dropped}, answers reordered ${reordered}, stored ≠ streamed ${storedMismatch}`,
      );
      console.log(
        `server CPU: ${cpuS.toFixed(2)} s over ${wallS.toFixed(1)} s (${((cpuS / wallS) * 100).toFixed(1)}% of one core); this process (fake model and clients): ${benchCpuS.toFixed(2)} s; ${machineLoad()}`,
      );
      console.log(
        p99 <= 20
          ? `target met: p99 added TTFT ${p99.toFixed(2)} ms ≤ 20 ms`
          : `TARGET MISSED: p99 ${p99.toFixed(2)} ms > 20 ms`,
      );
    });
  } finally {
    await fake.close();
  }
}

await onEachDatabase(measure);
process.exit(0);
