import { describe, expect, it } from 'vitest';
import { axisSimilarity } from './axis.js';
import { staticModelDirectory } from './select.js';
import { StaticEmbedder } from './static/static-embedder.js';

const embedder = await StaticEmbedder.load(staticModelDirectory());
const words = (text: string) => embedder.embed(text.toLowerCase().match(/[a-z-]+/g) ?? []);

describe('axisSimilarity', () => {
  it('matches an attribute to the axis it is about, whichever pole it names', async () => {
    const dry = await words('Dry: flat, unengaging tone');
    const engagement = await words('Engagement: sparks curiosity with an engaging tone');
    const bias = await words('Bias: favouring Western or colonial views over others');
    const westernBias = await words('Western bias: answers favour Western views');
    const wrongFacts = await words('Wrong facts: gets dates wrong');
    const accuracy = await words('Factual accuracy: states correct dates and facts');
    expect(axisSimilarity(dry, engagement)).toBeGreaterThan(axisSimilarity(dry, bias) + 0.2);
    expect(axisSimilarity(westernBias, bias)).toBeGreaterThan(axisSimilarity(westernBias, engagement) + 0.2);
    expect(axisSimilarity(wrongFacts, accuracy)).toBeGreaterThan(axisSimilarity(wrongFacts, bias) + 0.2);
  });

  it('is symmetric, 1 for the same words and 0 for no words', async () => {
    const a = await words('cultural context');
    const b = await words('local perspective');
    expect(axisSimilarity(a, b)).toBeCloseTo(axisSimilarity(b, a), 12);
    expect(axisSimilarity(a, a)).toBeCloseTo(1, 5);
    expect(axisSimilarity(a, [])).toBe(0);
  });
});
