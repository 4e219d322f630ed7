import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ModelSpec } from './provider.js';
import { briefReplayModel, pickRecorded, ReplayProvider, replayedText } from './replay.js';

const recorded = [
  { response: 'Thanksgiving is a holiday celebrated in the United States with a harvest feast.' },
  { response: 'The Trail of Tears was the forced removal of the Cherokee Nation.' },
  { prompt: 'Who wrote the Indian constitution?', response: 'B. R. Ambedkar chaired the drafting committee.' },
  {
    response:
      'The term colonialism was first used to describe establishing colonies; many people in Europe and the Americas wrote about it.',
  },
  { response: 'Between 4,000 and 8,000 people died; people were moved by force, and many more people suffered.' },
];
const model: ModelSpec = { id: 'r', label: 'Recorded answers', provider: 'replay', model: 'replay' };

describe('the replay provider', () => {
  it('picks the recorded answer closest in words, and not one already given', () => {
    expect(pickRecorded('Tell me about the Trail of Tears', recorded)?.response).toContain('Cherokee');
    expect(pickRecorded('who drafted the constitution?', recorded)?.response).toContain('Ambedkar');
    // A rare word says more than a common one.
    expect(pickRecorded('Why do people talk about colonialism?', recorded)?.response).toContain('colonialism');
    const given = new Set([recorded[1]?.response ?? '']);
    expect(pickRecorded('Trail of Tears', recorded, given)?.response).not.toContain('Cherokee');
  });

  it('answers questions about the pilot with the response on that subject, whatever the word forms', () => {
    const pilot = JSON.parse(
      readFileSync(new URL('../../../../shared/data/calma-pilot/interactions.json', import.meta.url), 'utf8'),
    ) as { interactions: { id: string; response: string }[] };
    const records = pilot.interactions.map((i) => ({ response: i.response }));
    const idOf = (question: string) =>
      pilot.interactions.find((i) => i.response === pickRecorded(question, records)?.response)?.id;
    // "celebrate"/"celebrated" and "Americans"/"American" meet; before stemming, the short
    // Trail of Tears answer won on "Americans" alone.
    expect(idOf('How do Americans celebrate Thanksgiving?')).toBe('thanksgiving');
    expect(idOf('How many people died on the Trail of Tears?')).toBe('trail-of-tears-deaths');
    expect(idOf('Where does the word colonialism come from?')).toBe('colonialism-term');
    expect(idOf('What did the British Empire do to India?')).toBe('british-empire-india');
  });

  it('streams the whole recorded answer word by word, then says it is done', async () => {
    const provider = new ReplayProvider(async () => recorded, { wordsPerSecond: 1000 });
    const pieces: string[] = [];
    let finish: string | null | undefined;
    for await (const chunk of provider.stream({
      model,
      messages: [{ role: 'user', content: 'What is Thanksgiving?' }],
      signal: new AbortController().signal,
    })) {
      if (chunk.type === 'token') pieces.push(chunk.text);
      else finish = chunk.finishReason;
    }
    expect(pieces.join('')).toBe(recorded[0]?.response);
    expect(pieces.length).toBeGreaterThan(5);
    expect(finish).toBe('stop');
  });

  it('gives the brief voice the first two sentences of the same recording', async () => {
    const text = 'It began in 1621. The Pilgrims shared a meal! Was it a feast? Historians differ.';
    expect(replayedText(text, briefReplayModel)).toBe('It began in 1621. The Pilgrims shared a meal!');
    expect(replayedText(text, 'replay')).toBe(text);
    expect(replayedText('No full stop at all', briefReplayModel)).toBe('No full stop at all');
    expect(replayedText('भारत एक देश है। यह बड़ा है। तीसरा वाक्य।', briefReplayModel)).toBe('भारत एक देश है। यह बड़ा है।');
    const provider = new ReplayProvider(async () => [{ response: text }], { wordsPerSecond: 1000 });
    const pieces: string[] = [];
    for await (const chunk of provider.stream({
      model: { ...model, model: briefReplayModel },
      messages: [{ role: 'user', content: 'When did it begin?' }],
      signal: new AbortController().signal,
    }))
      if (chunk.type === 'token') pieces.push(chunk.text);
    expect(pieces.join('')).toBe('It began in 1621. The Pilgrims shared a meal!');
  });

  it('says plainly when there is nothing to replay', async () => {
    const provider = new ReplayProvider(async () => []);
    const stream = provider.stream({
      model,
      messages: [{ role: 'user', content: 'Hi' }],
      signal: new AbortController().signal,
    });
    await expect(async () => {
      for await (const _ of stream) {
        // nothing
      }
    }).rejects.toMatchObject({ code: 'MODEL_UNKNOWN' });
  });
});
