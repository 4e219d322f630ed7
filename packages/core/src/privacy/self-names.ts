/**
 * The names a participant gave for themselves in their own turns ("my name is …", "I'm …",
 * "call me …", Hindi "मेरा नाम … है") plus their display name and its parts. Deliberately narrow:
 * only what the author typed ABOUT THEMSELVES is a self-name, so names of other people in a
 * conversation ("Adam Smith", "Kant") are never masked.
 */

/** Capitalised words that follow "I'm"/"I am" without being a name (who or how someone is). */
const notNames = new Set(
  `
  a an the not so very really just also still here there back sorry fine good okay ok happy glad sure new
  indian american british english hindu muslim christian jewish sikh buddhist jain catholic protestant
  african asian european canadian australian chinese japanese korean pakistani bangladeshi nepali
  french german spanish italian mexican brazilian russian arab arabic persian tamil bengali punjabi
  gujarati marathi telugu kannada malayalam hindi urdu native black white brown latino latina
  muslim atheist agnostic republican democrat liberal conservative gay lesbian trans queer deaf blind
  doctor teacher student professor engineer nurse lawyer manager mother father mom dad parent
  curious interested wondering asking trying looking writing working from in at on with of and or but
  monday tuesday wednesday thursday friday saturday sunday
  january february march april may june july august september october november december
  `
    .split(/\s+/)
    .filter((w) => w !== ''),
);

const nameWord = "\\p{Lu}[\\p{L}\\p{M}'’-]*";
const anyWord = "[\\p{L}\\p{M}'’-]+";
/** 1–3 capitalised words. */
const capitalisedName = `(${nameWord}(?:[ \\t]+${nameWord}){0,2})`;

/** "my name is X", "my name's X", "call me X", "name is X": here a lower-case name counts too. */
const explicitPatterns = [
  new RegExp(
    `\\bmy\\s+(?:full\\s+|first\\s+|last\\s+)?name(?:\\s+is|'s|’s)\\s+(${anyWord}(?:[ \\t]+${nameWord}){0,2})`,
    'giu',
  ),
  new RegExp(`\\b(?:call|calls)\\s+me\\s+(${anyWord}(?:[ \\t]+${nameWord}){0,2})`, 'giu'),
  new RegExp(`\\b(?:i\\s+go\\s+by|people\\s+call\\s+me)\\s+(${anyWord})`, 'giu'),
];
/** "I'm X", "I am X": only a capitalised name that is not a known non-name. */
const introPatterns = [new RegExp(`\\b(?:I'm|I’m|I am)\\s+${capitalisedName}`, 'gu')];
/** Hindi: "मेरा नाम X है" (and "मेरा नाम X हे"), X one to three words. */
const hindiPattern = /मेरा\s+नाम\s+((?:[\p{L}\p{M}]+\s+){0,2}?[\p{L}\p{M}]+)\s+(?:है|हे|हैं)/gu;

/**
 * The names the author gave for themselves in `userTurns`, and `displayName` with its parts
 * (parts of two or more letters). Each name appears once, in the order found.
 */
export function selfNamesFrom(userTurns: string[], displayName?: string): string[] {
  const found: string[] = [];
  const add = (name: string) => {
    const clean = name.trim().replace(/\s+/gu, ' ');
    if ([...clean].length < 2) return;
    if (!found.some((f) => f.toLocaleLowerCase() === clean.toLocaleLowerCase())) found.push(clean);
  };
  const addWithParts = (name: string) => {
    add(name);
    for (const part of name.split(/\s+/u)) if ([...part].length >= 2) add(part);
  };
  if (displayName && displayName.trim() !== '') addWithParts(displayName);
  for (const turn of userTurns) {
    for (const pattern of explicitPatterns) {
      for (const match of turn.matchAll(pattern)) {
        const name = trimNonNames(match[1] ?? '', false);
        if (name) addWithParts(name);
      }
    }
    for (const pattern of introPatterns) {
      for (const match of turn.matchAll(pattern)) {
        const name = trimNonNames(match[1] ?? '', true);
        if (name) addWithParts(name);
      }
    }
    for (const match of turn.matchAll(hindiPattern)) addWithParts(match[1] ?? '');
  }
  return found;
}

/** Cuts a captured name at the first word that is not a name ("Priya and" → "Priya"). */
function trimNonNames(captured: string, capitalisedOnly: boolean): string {
  const words = captured.split(/[ \t]+/u);
  const kept: string[] = [];
  for (const [i, word] of words.entries()) {
    const bare = word.replace(/['’-]+$/u, '');
    if (notNames.has(bare.toLocaleLowerCase())) break;
    if ((capitalisedOnly || i > 0) && !/^\p{Lu}/u.test(bare)) break;
    kept.push(bare);
  }
  return kept.join(' ');
}
