import { describe, expect, it } from 'vitest';
import {
  detectTranscriptFormat,
  messagesFromOcmlText,
  ocmlText,
  parseTranscripts,
  pseudonymsFor,
  type TranscriptInteraction,
  toOcmlCsv,
  toTranscriptCsv,
  toTranscriptJson,
} from './index.js';

const chat: TranscriptInteraction = {
  id: 'in_1',
  participant: 'P1',
  baseline: false,
  source: 'chat',
  modelId: 'demo',
  messages: [
    { role: 'user', content: 'Why, "exactly", did it start?\nTell me.' },
    {
      role: 'assistant',
      content: 'Because, in 1621, …',
      status: 'complete',
      modelId: 'demo',
      provider: 'replay',
      model: 'pilot-replay',
      ttftMs: 12,
      latencyMs: 340,
      usage: { promptTokens: 20, completionTokens: 7 },
      finishReason: 'stop',
    },
  ],
};
const quoted: TranscriptInteraction = {
  id: 'thanksgiving',
  participant: null,
  baseline: true,
  source: 'import',
  messages: [{ role: 'assistant', content: 'Thanksgiving is a holiday, celebrated…' }],
};

describe('Calma CSV', () => {
  it('writes one RFC 4180 row per message and reads it back', () => {
    const csv = toTranscriptCsv([chat, quoted]);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    expect(lines[0]).toBe(
      'interaction_id,participant,baseline,source,message_index,role,content,status,model_id,provider,model,ttft_ms,latency_ms,prompt_tokens,completion_tokens,finish_reason,system_prompt_sha256,created_at',
    );
    expect(lines[1]).toBe('in_1,P1,false,chat,0,user,"Why, ""exactly"", did it start?\nTell me.",,,,,,,,,,,');
    expect(csv.endsWith('\r\n')).toBe(true);
    const back = parseTranscripts(csv, 'csv');
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    expect(back.interactions).toHaveLength(2);
    expect(back.interactions[0]?.messages).toEqual(chat.messages);
    expect(back.interactions[1]).toMatchObject({ id: 'thanksgiving', baseline: true, participant: null });
  });

  it('defuses formulas for spreadsheets and restores them on import', () => {
    const risky: TranscriptInteraction = {
      id: 'f',
      baseline: false,
      messages: [
        { role: 'user', content: '=HYPERLINK("x")' },
        { role: 'assistant', content: '- a list' },
      ],
    };
    const csv = toTranscriptCsv([risky]);
    expect(csv).toContain(`"'=HYPERLINK`);
    const back = parseTranscripts(csv, 'csv');
    expect(back.ok && back.interactions[0]?.messages.map((m) => m.content)).toEqual(['=HYPERLINK("x")', '- a list']);
  });

  it('orders by message_index, accepts a BOM and any column order', () => {
    const csv = '\uFEFFcontent,role,interaction_id,message_index\nsecond,assistant,a,1\nfirst,user,a,0\n';
    const r = parseTranscripts(csv, 'csv');
    expect(r.ok && r.interactions[0]?.messages.map((m) => m.content)).toEqual(['first', 'second']);
  });

  it('names the line of every bad record, counting quoted line breaks', () => {
    const csv = [
      'interaction_id,role,content',
      'a,user,"two',
      'lines"',
      'a,robot,hello',
      'b,assistant,',
      ',user,hi',
      'c,user,hi,extra',
    ].join('\n');
    const r = parseTranscripts(csv, 'csv');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.row)).toEqual([4, 5, 6, 7]);
    expect(r.problems[0]?.message).toMatch(/role/);
    expect(r.problems[1]?.message).toMatch(/content is empty/);
  });

  it('refuses a header without the required columns', () => {
    const r = parseTranscripts('id,text\n1,hello\n', 'csv');
    expect(r).toEqual({ ok: false, problems: [{ row: 1, message: expect.stringMatching(/interaction_id/) }] });
  });
});

describe('Calma JSON', () => {
  it('round-trips the export and reads the import body shape', () => {
    const text = toTranscriptJson([chat, quoted], { exportedAt: '2026-01-01T00:00:00.000Z' });
    const r = parseTranscripts(text, 'json');
    expect(r.ok && r.interactions.map((i) => i.messages)).toEqual([chat.messages, quoted.messages]);
    const body = {
      interactions: [{ participantId: null, baseline: true, messages: [{ role: 'user', content: 'x' }] }],
    };
    expect(parseTranscripts(JSON.stringify(body), 'json').ok).toBe(true);
  });

  it('names the item and field that is wrong', () => {
    const r = parseTranscripts(
      JSON.stringify([{ messages: [{ role: 'user', content: 'ok' }] }, { messages: [{ role: 'x', content: 'y' }] }]),
      'json',
    );
    expect(r).toEqual({
      ok: false,
      problems: [{ row: 2, field: 'messages[0]', message: expect.stringMatching(/role/) }],
    });
    expect(parseTranscripts('{', 'json').ok).toBe(false);
  });

  it('refuses repeated ids', () => {
    const item = { id: 'x', messages: [{ role: 'user', content: 'hi' }] };
    const r = parseTranscripts(JSON.stringify([item, item]), 'json');
    expect(!r.ok && r.problems[0]?.row).toBe(2);
  });
});

describe('OCML ID,TEXT', () => {
  it('writes the title row and one row per interaction, two fields each', () => {
    const csv = toOcmlCsv([quoted, chat], 'Pilot, MIT');
    const r = parseTranscripts(csv, 'ocml');
    expect(
      csv.startsWith('ID,TEXT\r\n0,"Pilot, MIT"\r\n1,"Thanksgiving is a holiday, celebrated…"\r\n2,"User: Why'),
    ).toBe(true);
    expect(r.ok && r.interactions.map((i) => i.messages)).toEqual([
      quoted.messages,
      chat.messages.map((m) => ({ role: m.role, content: m.content })),
    ]);
  });

  it('reads OCML files with the README trailing comma; text without markers is one response', () => {
    const r = parseTranscripts('ID,TEXT,\n0,HappyDB,\n1,I went to the park,\n', 'ocml');
    expect(r.ok && r.interactions).toEqual([
      { participant: null, baseline: false, messages: [{ role: 'assistant', content: 'I went to the park' }] },
    ]);
  });

  it('refuses non-numeric and repeated ids, naming the line', () => {
    const r = parseTranscripts('ID,TEXT\n0,t\n1,a\nx,b\n1,c\n', 'ocml');
    expect(!r.ok && r.problems.map((p) => p.row)).toEqual([4, 5]);
  });

  it('splits only at turn markers that start a line', () => {
    expect(ocmlText([{ role: 'user', content: 'a' }])).toBe('a');
    expect(messagesFromOcmlText('User: hi\n\nAssistant: The User: field is…')).toEqual([
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'The User: field is…' },
    ]);
  });
});

describe('format detection and pseudonyms', () => {
  it('detects the three formats', () => {
    expect(detectTranscriptFormat('  [ ]')).toBe('json');
    expect(detectTranscriptFormat('id,role\n', 'application/json')).toBe('json');
    expect(detectTranscriptFormat('ID,TEXT\n0,x')).toBe('ocml');
    expect(detectTranscriptFormat('interaction_id,role,content\n')).toBe('csv');
  });

  it('numbers participants in join order', () => {
    expect([...pseudonymsFor(['pa', 'pb'])]).toEqual([
      ['pa', 'P1'],
      ['pb', 'P2'],
    ]);
  });
});
