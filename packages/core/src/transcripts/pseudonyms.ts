/**
 * Pseudonyms for exports: `P1`, `P2`, … in the order participants joined the group, so the same
 * person has the same pseudonym in every export of that group (until someone is removed).
 */
export function pseudonymsFor(participantIdsInJoinOrder: readonly string[]): Map<string, string> {
  return new Map(participantIdsInJoinOrder.map((id, i) => [id, `P${i + 1}`]));
}
