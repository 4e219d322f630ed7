import { databaseKinds } from '@calma/db/testing/fresh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  type CreatedGroupFixture,
  created,
  createGroup,
  join,
  startTestApp,
  type TestApp,
} from '../../testing.js';

/**
 * The export of a session run in Hindi and Arabic, through `app.inject` on both databases: the
 * affinity map places every label at its own finite spot, source labels come from the board's
 * clusters and the confirmed mapping, examples are quoted whole, and every text comes back exactly
 * in JSON, CSV (UTF-8 behind a byte-order mark) and Markdown.
 */
const hindiAnswer =
  'पानीपत की पहली लड़ाई 1526 में बाबर और इब्राहिम लोदी के बीच हुई। इतिहासकार इसके कारणों पर अलग-अलग राय रखते हैं: ' +
  'कुछ तोपखाने को निर्णायक मानते हैं, कुछ लोदी सेना के भीतर के मतभेदों को। '.repeat(4) +
  'अंत तक पूरा उत्तर।';
const arabicAnswer = `${'كانت معركة عين جالوت عام 1260 نقطة تحول، ويختلف المؤرخون في تفسير أسبابها. '.repeat(5)}نهاية الإجابة.`;
const labelTexts = [
  'संतुलित',
  'संतुलित दृष्टिकोण',
  'बहुत संतुलित',
  'पक्षपाती',
  'एकतरफ़ा',
  'तथ्यात्मक',
  'متوازن',
  'متوازن ومحايد',
  'منحاز',
  'balanced',
  'biased',
  'factual',
];

describe.each(databaseKinds)('the export of a session in Hindi and Arabic on %s', (kind) => {
  let t: TestApp;
  let group: CreatedGroupFixture;
  let sessionId: string;
  const people: { participantId: string; token: string }[] = [];
  let finals: { id: string; name: string; definition: string }[] = [];
  let map: {
    points: {
      cardId: string;
      labelId?: string;
      segment1AttributeId?: string;
      x: number;
      y: number;
      clusterId: number;
    }[];
    clusters: { id: number; name: string }[];
  };
  const labelIds = new Map<string, string>();
  let interactionIds: string[] = [];

  const send = (method: 'GET' | 'PUT' | 'POST', url: string, token: string, payload?: object) =>
    t.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
  const ok = async (method: 'PUT' | 'POST', url: string, token: string, payload: object) => {
    const res = await send(method, url, token, payload);
    if (res.statusCode !== 200) throw new Error(`${method} ${url} answered ${res.statusCode}: ${res.body}`);
    return res.json();
  };
  const control = (body: object) => ok('POST', `/api/sessions/${sessionId}/control`, group.moderatorToken, body);

  beforeAll(async () => {
    t = await startTestApp(kind);
    group = await createGroup(t);
    for (const name of ['आशा', 'سلمى', 'Chen']) people.push(await join(t, group.inviteCode, name));
    interactionIds = (
      await created<{ ids: string[] }>(
        t,
        `/api/groups/${group.id}/interactions`,
        {
          interactions: [
            {
              baseline: true,
              messages: [
                { role: 'user', content: 'पानीपत की पहली लड़ाई क्यों हुई?' },
                { role: 'assistant', content: hindiAnswer },
              ],
            },
            {
              baseline: true,
              messages: [
                { role: 'user', content: 'لماذا كانت معركة عين جالوت مهمة؟' },
                { role: 'assistant', content: arabicAnswer },
              ],
            },
          ],
        },
        group.moderatorToken,
      )
    ).ids;
    const ids = (
      await created<{ ids: string[] }>(
        t,
        `/api/groups/${group.id}/labels`,
        {
          labels: labelTexts.map((text, i) => ({
            text,
            stage: 'initial',
            interactionId: interactionIds[i % 2],
            messageIndex: 1,
          })),
        },
        group.moderatorToken,
      )
    ).ids;
    for (const [i, text] of labelTexts.entries()) labelIds.set(text, ids[i] as string);
    sessionId = (await created<{ id: string }>(t, `/api/groups/${group.id}/sessions`, {}, group.moderatorToken)).id;
  });
  afterAll(() => t.close());

  it('maps Hindi and Arabic labels to distinct, finite places, in clusters named in their words', async () => {
    await control({ action: 'start', segment: 1, durationMs: 600_000 });
    const segment1 = [
      [{ name: 'संतुलन', definition: 'कई दृष्टिकोण निष्पक्ष ढंग से' }],
      [{ name: 'الحياد', definition: 'لا ينحاز إلى طرف' }],
      [{ name: 'Factual', definition: 'Correct dates and names' }],
    ];
    for (const [i, person] of people.entries())
      await ok('PUT', `/api/sessions/${sessionId}/segment1`, person.token, { attributes: segment1[i] });
    await control({ action: 'reveal', segment: 1 });
    await control({ action: 'start', segment: 2, durationMs: 600_000 });
    map = await ok('POST', `/api/sessions/${sessionId}/affinity-map`, group.moderatorToken, {});
    const labelPoints = map.points.filter((p) => p.labelId);
    expect(labelPoints).toHaveLength(labelTexts.length);
    expect(map.points.filter((p) => p.segment1AttributeId)).toHaveLength(3);
    for (const point of map.points) expect(Number.isFinite(point.x) && Number.isFinite(point.y)).toBe(true);
    // Every card at its own place: a zero or NaN vector would pile them up on one spot.
    expect(new Set(map.points.map((p) => `${p.x},${p.y}`)).size).toBe(map.points.length);
    // Labels that share a word share a cluster, in either script.
    const clusterOfText = (text: string) => map.points.find((p) => p.labelId === labelIds.get(text))?.clusterId;
    expect(new Set(['संतुलित', 'संतुलित दृष्टिकोण', 'बहुत संतुलित'].map(clusterOfText)).size).toBe(1);
    expect(clusterOfText('متوازن')).toBe(clusterOfText('متوازن ومحايد'));
    // Cluster names are made of the labels' own words, whatever the script.
    const names = map.clusters.map((c) => c.name).join(' ');
    expect(names).toMatch(/[\u0900-\u097f]{3,}|[\u0600-\u06ff]{3,}/u);
    expect(names).not.toMatch(/(^|\s)[\u0900-\u097f](\s|$)/u);
    // The group summary counts Hindi and Arabic words whole (split at vowel signs, they were dropped).
    const summary = await send('GET', `/api/groups/${group.id}/summary`, people[0]?.token as string);
    const cloud = summary.json().wordCloud as { term: string; count: number }[];
    expect(cloud).toContainEqual({ term: 'संतुलित', count: 3 });
    expect(cloud).toContainEqual({ term: 'متوازن', count: 2 });
    expect(cloud).toContainEqual({ term: 'दृष्टिकोण', count: 1 });
  });

  it('exports source labels linked through the board, whole examples and the exact texts', async () => {
    await control({ action: 'start', segment: 4, durationMs: 600_000 });
    const saved = await ok('PUT', `/api/sessions/${sessionId}/final-attributes`, group.moderatorToken, {
      attributes: [
        {
          name: 'संतुलित दृष्टिकोण',
          definition: 'कई दृष्टिकोण, "निष्पक्ष" ढंग से',
          exampleInteractionIds: [interactionIds[0]],
        },
        { name: 'الحياد', definition: 'لا ينحاز، ويعرض كل الآراء' },
        { name: 'Factual', definition: 'Correct dates and names' },
      ],
      groupTop3: [],
      groupTop5: [],
    });
    finals = saved.attributes;
    const mapping = await send('GET', `/api/sessions/${sessionId}/segment1-mapping`, group.moderatorToken);
    const attributes = mapping.json().attributes as { id: string; participantId: string }[];
    const becomes = Object.fromEntries(
      attributes.map((a) => [a.id, finals[people.findIndex((p) => p.participantId === a.participantId)]?.id ?? null]),
    );
    await ok('PUT', `/api/sessions/${sessionId}/segment1-mapping`, group.moderatorToken, { mapping: becomes });
    await control({ action: 'start', segment: 5, durationMs: 600_000 });
    for (const person of people)
      await ok('PUT', `/api/sessions/${sessionId}/segment5`, person.token, {
        likert: Object.fromEntries(finals.map((f) => [f.id, 4])),
        ranking: finals.map((f) => f.id),
      });

    const res = await send('GET', `/api/sessions/${sessionId}/export?format=json`, group.analystToken);
    expect(res.statusCode).toBe(200);
    const exported = res.json() as {
      axes: {
        id: string;
        name: string;
        definition: string;
        examples: { interactionId: string; excerpt: string; prompt: string | null }[];
        examplesFrom: string;
        sourceLabels: { id: string; text: string }[];
        sourceLabelsFrom: string;
      }[];
    };
    expect(exported.axes.map((a) => [a.name, a.definition])).toEqual(finals.map((f) => [f.name, f.definition]));
    // The labels in the clusters of the segment-1 attributes each final attribute took in, by the map.
    const clusterOf = new Map(map.points.map((p) => [p.segment1AttributeId ?? p.labelId, p.clusterId]));
    for (const axis of exported.axes) {
      const from = Object.entries(becomes)
        .filter(([, finalId]) => finalId === axis.id)
        .map(([s]) => clusterOf.get(s));
      const expected = labelTexts.filter((text) => from.includes(clusterOf.get(labelIds.get(text))));
      expect(axis.sourceLabels.map((l) => l.text)).toEqual(expected);
      expect(axis.sourceLabels.map((l) => l.id)).toEqual(expected.map((text) => labelIds.get(text)));
      expect(axis.sourceLabelsFrom).toBe(expected.length > 0 ? 'board' : 'none');
    }
    // It was empty in every export before: the board's link was never read.
    expect(exported.axes.flatMap((a) => a.sourceLabels).length).toBeGreaterThan(0);
    // The moderator's example, whole (it was cut at 280 characters with "…"), with its question.
    expect(exported.axes[0]?.examples).toEqual([
      { interactionId: interactionIds[0], excerpt: hindiAnswer, prompt: 'पानीपत की पहली लड़ाई क्यों हुई?' },
    ]);
    expect(exported.axes[0]?.examplesFrom).toBe('moderator');
    for (const axis of exported.axes.slice(1))
      for (const example of axis.examples) expect([hindiAnswer, arabicAnswer]).toContain(example.excerpt);
    expect(res.body).not.toContain('…');

    const csv = await send('GET', `/api/sessions/${sessionId}/export?format=csv`, group.analystToken);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect([...csv.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = csv.rawPayload.toString('utf8');
    expect(text).toContain('1,संतुलित दृष्टिकोण,"कई दृष्टिकोण, ""निष्पक्ष"" ढंग से",');
    expect(text).toContain('2,الحياد,لا ينحاز، ويعرض كل الآراء,');
    expect(text).toContain(hindiAnswer);
    for (const label of exported.axes.flatMap((a) => a.sourceLabels)) expect(text).toContain(label.text);
    expect(text).not.toContain('…');

    const md = await send('GET', `/api/sessions/${sessionId}/export?format=md`, group.analystToken);
    expect(md.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(md.body).toContain('| 1 | संतुलित दृष्टिकोण | कई दृष्टिकोण, "निष्पक्ष" ढंग से |');
    expect(md.body).toContain(`“${hindiAnswer}”`);
    expect(md.body).toContain('**Q:** पानीपत की पहली लड़ाई क्यों हुई?');
    expect(md.body).not.toContain('…');
  });
});
