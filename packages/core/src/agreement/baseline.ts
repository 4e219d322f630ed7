/**
 * Agreement on the baseline set, as the contract defines it for `GET /api/groups/:groupId/agreement`:
 * per code, Krippendorff's alpha (nominal) over the assistant messages of baseline interactions.
 */
import { codeKey, mostUsedSpelling } from '../coding/codes.js';
import { alphaOfMatrix, type CoincidenceMatrix } from './krippendorff.js';

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
  /** Units where the coders who coded them split over this code (some put it on, some not). */
  readonly split: number;
  /**
   * Those units, in the units' order, with who stands on each side: only for the code(s) asked for
   * (see {@link AgreementOptions}), since listing every code's would grow with codes × units × coders.
   */
  readonly disagreements?: CodeDisagreement[];
}

/** What {@link baselineAgreement} details beyond the contract's numbers. */
export interface AgreementOptions {
  /** Codes (any spelling: compared as {@link codeKey} does) whose `disagreements` are listed. */
  readonly disagreementsOf?: readonly string[];
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

interface CodeTally {
  readonly spellings: Map<string, number>;
  /** Unit index → coders who put the code on it. */
  readonly appliedBy: Map<number, Set<string>>;
}

/**
 * Computes the contract's agreement from the baseline interactions and the group's labels. A
 * coder's value for (unit, code) is 1 if they put the code on the unit, 0 if they coded the unit
 * with other codes only, missing if they did not code it. Which labels count: {@link unitCodings}.
 */
export function baselineAgreement(
  interactions: readonly AgreementInteraction[],
  labels: readonly AgreementLabel[],
  options: AgreementOptions = {},
): BaselineAgreement {
  const detailed = new Set((options.disagreementsOf ?? []).map(codeKey));
  const { units, codings } = unitCodings(interactions, labels);
  const codedBy = new Map<number, Set<string>>();
  const tallies = new Map<string, CodeTally>();
  for (const { coder, unit: u, text, key } of codings) {
    addTo(codedBy, u, coder);
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

  // A unit nobody put the code on, coded by m ≥ 2 coders, holds m zeros: it adds m to o_00. So
  // o_00 starts from every pairable unit's m and only the units a code was put on are visited,
  // which keeps a turn with thousands of codes (each on few units) cheap.
  let pairableValues = 0;
  for (const coded of codedBy.values()) if (coded.size >= 2) pairableValues += coded.size;

  const pooled = { o00: 0, o01: 0, o11: 0 };
  const codes: CodeAgreement[] = [];
  for (const [key, tally] of tallies) {
    const o = { o00: pairableValues, o01: 0, o11: 0 };
    const disagreements: CodeDisagreement[] = [];
    let split = 0;
    const appliers = new Set<string>();
    for (const u of [...tally.appliedBy.keys()].sort((x, y) => x - y)) {
      const applied = tally.appliedBy.get(u) as Set<string>;
      const coded = codedBy.get(u) as Set<string>;
      for (const coder of applied) appliers.add(coder);
      const m = coded.size;
      if (m < 2) continue;
      const ones = applied.size;
      const zeros = m - ones;
      // Pairs of values from different coders, each weighted 1/(m − 1) (see coincidenceMatrix).
      o.o00 += (zeros * (zeros - 1)) / (m - 1) - m;
      o.o01 += (ones * zeros) / (m - 1);
      o.o11 += (ones * (ones - 1)) / (m - 1);
      if (ones > 0 && zeros > 0) {
        split += 1;
        if (!detailed.has(key)) continue;
        disagreements.push({
          ...(units[u] as AgreementUnit),
          applied: [...applied].sort(),
          notApplied: [...coded].filter((coder) => !applied.has(coder)).sort(),
        });
      }
    }
    pooled.o00 += o.o00;
    pooled.o01 += o.o01;
    pooled.o11 += o.o11;
    codes.push({
      text: mostUsedSpelling(tally.spellings),
      alpha: alphaOfMatrix(binaryMatrix(o), 'nominal'),
      coders: appliers.size,
      units: tally.appliedBy.size,
      split,
      ...(detailed.has(key) ? { disagreements } : {}),
    });
  }
  codes.sort((a, b) => b.units - a.units || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));

  return {
    coders: coders.size,
    units: units.length,
    codes,
    overall: codes.length > 0 ? alphaOfMatrix(binaryMatrix(pooled), 'nominal') : null,
  };
}

/** The coincidence matrix of 0/1 values from its three distinct cells (o_01 = o_10). */
function binaryMatrix({ o00, o01, o11 }: { o00: number; o01: number; o11: number }): CoincidenceMatrix {
  const n0 = o00 + o01;
  const n1 = o01 + o11;
  return {
    values: [0, 1],
    counts: [
      [o00, o01],
      [o01, o11],
    ],
    marginals: [n0, n1],
    n: n0 + n1,
  };
}

/** A label that counts: its coder, the index of its unit, its trimmed text and its {@link codeKey}. */
export interface UnitCoding {
  readonly coder: string;
  readonly unit: number;
  readonly text: string;
  readonly key: string;
}

/**
 * The baseline units and the labels that count on them, in the labels' order. Labels count when
 * they name a participant (the coder) and a unit; a label on a baseline interaction without
 * `messageIndex` counts on its assistant message when it has exactly one (a single-turn import),
 * and is left out otherwise. Labels elsewhere, on user messages or with blank text are left out.
 */
export function unitCodings(
  interactions: readonly AgreementInteraction[],
  labels: readonly AgreementLabel[],
): { units: AgreementUnit[]; codings: UnitCoding[] } {
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
  const codings: UnitCoding[] = [];
  for (const label of labels) {
    const coder = label.participantId;
    const text = label.text.trim();
    if (coder === null || label.interactionId === null || text === '') continue;
    const messageIndex = label.messageIndex ?? soleAnswer.get(label.interactionId);
    if (messageIndex === undefined) continue;
    const unit = unitIndex.get(label.interactionId)?.get(messageIndex);
    if (unit === undefined) continue;
    codings.push({ coder, unit, text, key: codeKey(text) });
  }
  return { units, codings };
}

function addTo(map: Map<number, Set<string>>, key: number, value: string): void {
  const set = map.get(key);
  if (set) set.add(value);
  else map.set(key, new Set([value]));
}
