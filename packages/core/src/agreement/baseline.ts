/**
 * Agreement on the baseline set, as the contract defines it for `GET /api/groups/:groupId/agreement`:
 * per code, Krippendorff's alpha (nominal) over the assistant messages of baseline interactions.
 */
import { alphaOfUnits, type UnitValues } from './krippendorff.js';

/** A baseline interaction, as far as agreement reads it. */
export interface AgreementInteraction {
  readonly id: string;
  readonly messages: readonly { readonly role: 'user' | 'assistant' }[];
}

/** A label, as far as agreement reads it. A span (or none) makes no difference: the message counts as coded. */
export interface AgreementLabel {
  readonly text: string;
  readonly participantId: string | null;
  readonly interactionId: string | null;
  readonly messageIndex: number | null;
}

/** A unit of the baseline set: one assistant message of a baseline interaction. */
export interface AgreementUnit {
  readonly interactionId: string;
  readonly messageIndex: number;
}

/** A unit on which coders split over a code: who put it there, and who coded the unit without it. */
export interface CodeDisagreement extends AgreementUnit {
  readonly applied: string[];
  readonly notApplied: string[];
}

/** One code (its spellings merged) over the baseline set. */
export interface CodeAgreement {
  /** The spelling most coders' labels use (trimmed); on a tie, the first one given. */
  readonly text: string;
  /** Nominal alpha over the units; null where undefined (no pairable values or no variation). */
  readonly alpha: number | null;
  /** Coders who put the code on at least one unit. */
  readonly coders: number;
  /** Units the code was put on. */
  readonly units: number;
  /** Units where the coders who coded it split over this code, in the units' order. */
  readonly disagreements: CodeDisagreement[];
}

/** The agreement on a group's baseline set. */
export interface BaselineAgreement {
  /** Coders who coded at least one unit. */
  readonly coders: number;
  /** Units: every assistant message of the baseline interactions, coded or not. */
  readonly units: number;
  /** Per code, most used first (then by text). */
  readonly codes: CodeAgreement[];
  /**
   * Every code pooled: each (unit, code) pair is one unit of a single nominal alpha over the same
   * 1/0/missing values, so codes used often weigh more. Null without codes or variation.
   */
  readonly overall: number | null;
}

/** The units of the baseline set: every assistant message of the given interactions, in order. */
export function baselineUnits(interactions: readonly AgreementInteraction[]): AgreementUnit[] {
  return interactions.flatMap((interaction) =>
    interaction.messages.flatMap((message, messageIndex) =>
      message.role === 'assistant' ? [{ interactionId: interaction.id, messageIndex }] : [],
    ),
  );
}

/** How codes are compared: trimmed, case-insensitive. */
export function codeKey(text: string): string {
  return text.trim().toLowerCase();
}

interface CodeTally {
  readonly spellings: Map<string, number>;
  /** Unit index → coders who put the code on it. */
  readonly appliedBy: Map<number, Set<string>>;
}

/**
 * Computes the contract's agreement from the baseline interactions and the group's labels. A
 * coder's value for (unit, code) is 1 if they put the code on the unit, 0 if they coded the unit
 * with other codes only, missing if they did not code it. Labels count when they name a participant
 * (the coder) and a unit; a label on a baseline interaction without `messageIndex` counts on its
 * assistant message when it has exactly one (a single-turn import), and is left out otherwise.
 * Labels elsewhere, on user messages or with blank text are left out.
 */
export function baselineAgreement(
  interactions: readonly AgreementInteraction[],
  labels: readonly AgreementLabel[],
): BaselineAgreement {
  const units = baselineUnits(interactions);
  // interaction id → message index → unit index
  const unitIndex = new Map<string, Map<number, number>>();
  units.forEach((unit, i) => {
    const byMessage = unitIndex.get(unit.interactionId) ?? new Map<number, number>();
    byMessage.set(unit.messageIndex, i);
    unitIndex.set(unit.interactionId, byMessage);
  });
  const soleAnswer = new Map<string, number>();
  for (const [interactionId, byMessage] of unitIndex) {
    if (byMessage.size === 1) soleAnswer.set(interactionId, [...byMessage.keys()][0] as number);
  }

  const codedBy = new Map<number, Set<string>>();
  const tallies = new Map<string, CodeTally>();
  for (const label of labels) {
    const coder = label.participantId;
    const text = label.text.trim();
    if (coder === null || label.interactionId === null || text === '') continue;
    const messageIndex = label.messageIndex ?? soleAnswer.get(label.interactionId);
    if (messageIndex === undefined) continue;
    const u = unitIndex.get(label.interactionId)?.get(messageIndex);
    if (u === undefined) continue;
    addTo(codedBy, u, coder);
    const key = codeKey(text);
    let tally = tallies.get(key);
    if (!tally) {
      tally = { spellings: new Map(), appliedBy: new Map() };
      tallies.set(key, tally);
    }
    tally.spellings.set(text, (tally.spellings.get(text) ?? 0) + 1);
    addTo(tally.appliedBy, u, coder);
  }

  const coders = new Set<string>();
  for (const set of codedBy.values()) for (const coder of set) coders.add(coder);

  const pooled: UnitValues[] = [];
  const codes: CodeAgreement[] = [];
  for (const tally of tallies.values()) {
    const values: UnitValues[] = [];
    const disagreements: CodeDisagreement[] = [];
    const appliers = new Set<string>();
    units.forEach((unit, u) => {
      const coded = codedBy.get(u);
      if (!coded) return;
      const applied = tally.appliedBy.get(u) ?? new Set<string>();
      for (const coder of applied) appliers.add(coder);
      const ones = applied.size;
      const zeros = coded.size - ones;
      values.push(
        new Map([
          [1, ones],
          [0, zeros],
        ]),
      );
      if (ones > 0 && zeros > 0) {
        disagreements.push({
          ...unit,
          applied: [...applied].sort(),
          notApplied: [...coded].filter((coder) => !applied.has(coder)).sort(),
        });
      }
    });
    pooled.push(...values);
    codes.push({
      text: commonest(tally.spellings),
      alpha: alphaOfUnits(values, 'nominal'),
      coders: appliers.size,
      units: tally.appliedBy.size,
      disagreements,
    });
  }
  codes.sort((a, b) => b.units - a.units || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));

  return {
    coders: coders.size,
    units: units.length,
    codes,
    overall: codes.length > 0 ? alphaOfUnits(pooled, 'nominal') : null,
  };
}

function addTo(map: Map<number, Set<string>>, key: number, value: string): void {
  const set = map.get(key);
  if (set) set.add(value);
  else map.set(key, new Set([value]));
}

/** The most frequent spelling; Map order keeps the first one given on a tie. */
function commonest(spellings: ReadonlyMap<string, number>): string {
  let best = '';
  let bestCount = 0;
  for (const [text, count] of spellings) {
    if (count > bestCount) {
      best = text;
      bestCount = count;
    }
  }
  return best;
}
