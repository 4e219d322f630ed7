/**
 * Which model answers first in a participant's next A/B item. Participants must not learn which
 * model is which, and a position bias ("the first answer reads better") must not favour either
 * model, so every participant sees each model first equally often: their items fall into blocks of
 * two, the first of a block drawn at random and the second the other way round.
 */

/** A round's two models: `a` and `b`, as the round stores them. */
export type AbModelSide = 'a' | 'b';

/**
 * The side that answers first in the participant's next item, given the sides that answered first
 * in their earlier items (any order). While one side has been first less often it goes first (the
 * second half of a block); at a tie `random()` (in [0, 1), injected so tests can seed it) draws it.
 * A participant's counts therefore never differ by more than one, whatever is deleted or retried.
 */
export function abNextFirstModel(earlier: readonly AbModelSide[], random: () => number): AbModelSide {
  let a = 0;
  for (const side of earlier) if (side === 'a') a += 1;
  const b = earlier.length - a;
  if (a < b) return 'a';
  if (b < a) return 'b';
  return random() < 0.5 ? 'a' : 'b';
}

/** What a participant chose on one axis, in the order they were shown the answers. */
export type AbShownChoice = 'first' | 'second' | 'equal';
/** The same choice said by model, as it is stored and tallied. */
export type AbModelChoice = AbModelSide | 'equal';

/** Turns the participant's first/second choice into the model it names (`equal` stays). */
export function abChoiceToModel(choice: AbShownChoice, firstModel: AbModelSide): AbModelChoice {
  if (choice === 'equal') return 'equal';
  const other: AbModelSide = firstModel === 'a' ? 'b' : 'a';
  return choice === 'first' ? firstModel : other;
}

/** Turns a stored choice by model back into first/second for the participant who made it. */
export function abModelToChoice(choice: AbModelChoice, firstModel: AbModelSide): AbShownChoice {
  if (choice === 'equal') return 'equal';
  return choice === firstModel ? 'first' : 'second';
}
