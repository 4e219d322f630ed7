import {
  type ReplaySessionFacts,
  replayInitialFacts,
  replaySessionChanges,
  type TimelineEventDraft,
} from '@calma/core';
import type { BoardMomentReason } from '@calma/db';
import { BoardKey } from '@calma/protocol/board';
import * as Y from 'yjs';
import {
  applyLayout,
  type LabelForBoard,
  placeLabels,
  type ReflectAttributeForBoard,
  takeReflectAttributes,
} from '../realtime/yjs/cards.js';

/** An axis of the demo as its board shows it: a name and the codes that count for or against it. */
export interface DemoHistoryAxis {
  readonly name: string;
  readonly codes: readonly string[];
  readonly against: readonly string[];
}

/** What the seed records of the demo's ended session: its timeline, board moments and last board. */
export interface DemoHistory {
  readonly events: { at: Date; type: string; data: Record<string, unknown> }[];
  readonly moments: { at: Date; reason: BoardMomentReason; state: Uint8Array }[];
  /** The board as the session ended: what the board page shows after it. */
  readonly finalState: Uint8Array;
}

const minute = 60_000;

/**
 * When each segment of the demo's 90-minute session began, in minutes from its start: a
 * plausible run of the CALMA Discuss stage (review, private top-3, affinity map, presentations,
 * group discussion, private ratings), not a recording.
 */
const segmentStarts = [0, 10, 20, 35, 55, 80] as const;
const sessionMinutes = 90;

/**
 * The recorded history of the demo's ended Discuss session, written as the recorder and the
 * board would have written it had people run it: the segment changes and reveals (told by core's
 * `replaySessionChanges`, as the recorder tells live ones) and the board at each segment change
 * and at the end. The board grows the way a session's does: the group's codes and focused-coding
 * attributes at the start; from segment 2 the codes gathered by axis (the affinity map's
 * suggestion); from segment 4 those groups named after the axes the group agreed on. No
 * submissions are told: the demo has no participants' submissions to count.
 */
export function demoSessionHistory(input: {
  readonly endedAt: number;
  readonly labels: readonly LabelForBoard[];
  readonly reflect: readonly ReflectAttributeForBoard[];
  readonly axes: readonly DemoHistoryAxis[];
}): DemoHistory {
  const start = input.endedAt - sessionMinutes * minute;
  const atMinute = (m: number) => new Date(start + m * minute);

  const events: DemoHistory['events'] = [];
  const tell = (at: Date, drafts: readonly TimelineEventDraft[]) => {
    for (const { type, ...data } of drafts) events.push({ at, type, data });
  };
  let facts: ReplaySessionFacts = replayInitialFacts;
  const change = (m: number, next: Partial<ReplaySessionFacts>) => {
    const after = { ...facts, ...next };
    tell(atMinute(m), replaySessionChanges(facts, after));
    facts = after;
  };
  tell(atMinute(0), [{ type: 'created', segment: 0 }]);
  change(0, { status: 'running' });
  segmentStarts.forEach((m, segment) => {
    if (segment > 0) change(m, { segment });
    // The top-3s are revealed when the map is explored; the ratings at the end.
    if (segment === 2) change(m, { revealed: [1] });
  });
  change(sessionMinutes - 2, { revealed: [1, 5] });
  change(sessionMinutes, { status: 'ended' });

  const doc = new Y.Doc();
  const moments: DemoHistory['moments'] = [];
  const keep = (m: number, reason: BoardMomentReason) =>
    moments.push({ at: atMinute(m), reason, state: Y.encodeStateAsUpdate(doc) });

  doc.transact(() => {
    placeLabels(doc, input.labels);
    takeReflectAttributes(doc, input.reflect, start);
  });
  keep(segmentStarts[0], 'segment');
  keep(segmentStarts[1], 'segment');

  // Each code card (and each focused-coding attribute named like an axis) to its axis's group.
  const axisOf = (text: string) =>
    input.axes.findIndex((axis) =>
      [...axis.codes, ...axis.against].some((c) => c.toLowerCase() === text.toLowerCase()),
    );
  const grouped = new Map<number, string[]>();
  for (const label of input.labels) {
    const axis = axisOf(label.text);
    if (axis >= 0) grouped.set(axis, [...(grouped.get(axis) ?? []), `label-${label.id}`]);
  }
  for (const attribute of input.reflect) {
    const axis = input.axes.findIndex((a) => a.name === attribute.name);
    if (axis >= 0) grouped.set(axis, [...(grouped.get(axis) ?? []), `reflect-${attribute.id}`]);
  }
  const clusterId = (axis: number) => axis + 1;
  const points = [...grouped].flatMap(([axis, cardIds]) =>
    cardIds.map((cardId, i) => ({
      cardId,
      x: 80 + (axis % 3) * 760 + (i % 3) * 230,
      y: 2000 + Math.floor(axis / 3) * 700 + Math.floor(i / 3) * 130,
      clusterId: clusterId(axis),
    })),
  );
  const clusters = [...grouped].map(([axis, cardIds]) => ({
    id: clusterId(axis),
    name: `Group ${clusterId(axis)}`,
    size: cardIds.length,
  }));
  doc.transact(() => applyLayout(doc, points, clusters));
  keep(segmentStarts[2], 'segment');
  keep(segmentStarts[3], 'segment');

  // The group names its groups after the axes it agrees on (people's names, no longer suggestions).
  doc.transact(() => {
    const named = doc.getMap(BoardKey.clusters);
    for (const [axis, cardIds] of grouped)
      named.set(String(clusterId(axis)), { name: input.axes[axis]?.name ?? '', size: cardIds.length });
  });
  keep(segmentStarts[4], 'segment');
  keep(segmentStarts[5], 'segment');
  keep(sessionMinutes, 'end');
  return { events, moments, finalState: Y.encodeStateAsUpdate(doc) };
}
