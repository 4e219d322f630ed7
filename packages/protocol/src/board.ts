/**
 * The board contract: what the shared Y.Doc of a session holds, which cards and fields it knows,
 * and how the Yjs endpoint closes a connection. Plain constants and functions with no imports, so
 * that the server, core's permission rules and the browser all read the same definitions
 * (`@calma/protocol/board` pulls no schema library into a bundle).
 */

/** Top-level shared types of the board document. */
export const BoardKey = {
  /** `Y.Map<Y.Map>`: card id → card. */
  cards: 'cards',
  /** `Y.Map`: cluster id → `{name, size?, suggested?}` (suggested ones come from an affinity map). */
  clusters: 'clusters',
  /** `Y.Map<true>`: label ids that were placed once, so a card deleted on purpose does not come back. */
  labelCards: 'labelCards',
  /** `Y.Map<true>`: revealed segment-1 attribute ids that were placed once. */
  attributeCards: 'attributeCards',
  /**
   * `Y.Map`: what the server took into the board once, when the session started:
   * `reflectTakenAt` (epoch ms) marks that the group's Reflect attributes were placed.
   */
  taken: 'taken',
  /**
   * `Y.Map<string>`: Yjs client id → who writes under it (a participant id, `moderator`, `admin`
   * or `server`). The server records it at a client id's first write and refuses anyone else's
   * writes under that id; only the server writes this map.
   */
  writers: 'writers',
} as const;
/** One of the {@link BoardKey} values. */
export type BoardKey = (typeof BoardKey)[keyof typeof BoardKey];

/** What a card is. */
export const CardKind = {
  /** A code from the Reflect stage (server-placed, or added by a participant). */
  label: 'label',
  /**
   * An attribute (server-placed): a revealed segment-1 attribute (`segment1AttributeId`), or one
   * from focused coding (`reflectAttributeId`, with its signed `codes`) as it stood when the
   * session started.
   */
  attribute: 'attribute',
  /** A note or, with `commentOn`, a comment on another card. */
  note: 'note',
} as const;
/** One of the {@link CardKind} values. */
export type CardKind = (typeof CardKind)[keyof typeof CardKind];

/** The fields of a card's Y.Map. */
export const CardField = {
  kind: 'kind',
  text: 'text',
  authorId: 'authorId',
  x: 'x',
  y: 'y',
  w: 'w',
  h: 'h',
  z: 'z',
  color: 'color',
  clusterId: 'clusterId',
  /** A label's note on why. */
  annotation: 'annotation',
  /** An attribute's definition. */
  definition: 'definition',
  rank: 'rank',
  labelId: 'labelId',
  interactionId: 'interactionId',
  segment1AttributeId: 'segment1AttributeId',
  /** The focused-coding attribute an attribute card was taken from. */
  reflectAttributeId: 'reflectAttributeId',
  /** A focused-coding attribute's codes: `[{text, sign: 1 | -1}]` (for / against). */
  codes: 'codes',
  /** The card a comment is about. */
  commentOn: 'commentOn',
} as const;
/** One of the {@link CardField} values. */
export type CardField = (typeof CardField)[keyof typeof CardField];

/** Fields anyone may change on anyone's card: where it sits, how it looks, which cluster it is in. */
export const layoutFields: ReadonlySet<string> = new Set<CardField>([
  CardField.x,
  CardField.y,
  CardField.w,
  CardField.h,
  CardField.z,
  CardField.clusterId,
  CardField.color,
]);

/** Card kinds a participant may create (attribute cards come from revealed segment-1 work). */
export const participantCardKinds: ReadonlySet<string> = new Set<CardKind>([CardKind.note, CardKind.label]);

/** Root types participants may write besides `cards`: named clusters are everyone's. */
export const sharedRoots: ReadonlySet<string> = new Set<BoardKey>([BoardKey.clusters]);

/** Author id of cards the server adds for material nobody on the board wrote. */
export const systemAuthor = 'system';

/** WebSocket close codes of the Yjs endpoint (4000–4999 is the application range). */
export const CloseCode = {
  /** Malformed message or update. */
  badRequest: 4400,
  /** No token, or one the server does not know. */
  unauthorized: 4401,
  /** A change this person may not make (another's card, a field they may not set). */
  forbidden: 4403,
  /** Unknown session. */
  notFound: 4404,
  /** Nothing arrived on the socket in time after it opened (a y-websocket client sends at once); reconnect. */
  timedOut: 4408,
  /** The board is read-only for this person now (segment 1 or 5, locked, ended); reload and wait. */
  wrongState: 4409,
  /** An update, or the board, is over its size limit. */
  tooLarge: 4413,
  /** Too much, too fast: updates past this writer's rate, or a board whose writes are backed up. Wait, then reconnect. */
  rateLimited: 4429,
  /** The server is going away (shutdown, room unloaded); reconnect. */
  goingAway: 1001,
  /** The server could not keep the update (storage failed); nothing acknowledged was lost. */
  internal: 1011,
  /** This reader fell too far behind the board (its unsent backlog passed the bound); reconnect to catch up. */
  tryAgainLater: 1013,
} as const;
/** One of the {@link CloseCode} values. */
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/**
 * Whether a client should start over from a fresh document after this close: its own change was
 * refused (it must not be re-sent), so a reconnect with the same document would be refused again.
 */
export const closeMeansRefusedChange = (code: number): boolean =>
  code === CloseCode.forbidden || code === CloseCode.wrongState || code === CloseCode.badRequest;

/**
 * Whether a close asks the client to wait, then reconnect with the same document (too fast, a
 * board whose writes are backed up, a socket silent too long): nothing it holds was refused.
 */
export const closeMeansTryLater = (code: number): boolean =>
  code === CloseCode.rateLimited || code === CloseCode.timedOut;

/** Whether a close is final for this person (no access, or a board that takes no more): do not retry. */
export const closeIsFinal = (code: number): boolean =>
  code === CloseCode.unauthorized || code === CloseCode.notFound || code === CloseCode.tooLarge;

/** A card as everyone reads it. */
export interface Card {
  readonly id: string;
  readonly kind: string;
  readonly text: string;
  readonly x: number;
  readonly y: number;
  readonly authorId: string | null;
  readonly clusterId: number | string | null;
  readonly annotation: string | null;
  readonly definition: string | null;
  readonly rank: number | null;
  readonly labelId: string | null;
  readonly interactionId: string | null;
  readonly segment1AttributeId: string | null;
  readonly reflectAttributeId: string | null;
  /** A focused-coding attribute's codes, for (1) or against (-1); null on other cards. */
  readonly codes: readonly SignedCode[] | null;
  readonly commentOn: string | null;
}

/** A code of a focused-coding attribute as its card holds it. */
export interface SignedCode {
  readonly text: string;
  readonly sign: 1 | -1;
}

/** Anything a card's fields can be read from: a `Y.Map`, or a plain `Map` in tests. */
export interface CardFields {
  get(field: string): unknown;
}

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const signedCodes = (value: unknown): SignedCode[] | null => {
  if (!Array.isArray(value)) return null;
  const out: SignedCode[] = [];
  for (const item of value) {
    if (typeof item !== 'object' || item === null) continue;
    const { text, sign } = item as { text?: unknown; sign?: unknown };
    if (typeof text === 'string' && (sign === 1 || sign === -1)) out.push({ text, sign });
  }
  return out;
};

/**
 * Reads one card. Missing or mistyped fields read as null (position as 0, text as '', kind as
 * `note`), so a half-written or hostile card never breaks a reader.
 */
export function readCard(id: string, fields: CardFields): Card {
  const clusterId = fields.get(CardField.clusterId);
  return {
    id,
    kind: str(fields.get(CardField.kind)) ?? CardKind.note,
    text: str(fields.get(CardField.text)) ?? '',
    x: num(fields.get(CardField.x)) ?? 0,
    y: num(fields.get(CardField.y)) ?? 0,
    authorId: str(fields.get(CardField.authorId)),
    clusterId: num(clusterId) ?? str(clusterId),
    annotation: str(fields.get(CardField.annotation)),
    definition: str(fields.get(CardField.definition)),
    rank: num(fields.get(CardField.rank)),
    labelId: str(fields.get(CardField.labelId)),
    interactionId: str(fields.get(CardField.interactionId)),
    segment1AttributeId: str(fields.get(CardField.segment1AttributeId)),
    reflectAttributeId: str(fields.get(CardField.reflectAttributeId)),
    codes: signedCodes(fields.get(CardField.codes)),
    commentOn: str(fields.get(CardField.commentOn)),
  };
}

/**
 * Reads every card of a `cards` map. `isCard` tells a card's field map from any other value
 * (with Yjs: `value instanceof Y.Map`); the caller passes it so this module needs no Yjs.
 */
export function readCards(
  cards: { entries(): IterableIterator<[string, unknown]> },
  isCard: (value: unknown) => value is CardFields,
): Card[] {
  const out: Card[] = [];
  for (const [id, value] of cards.entries()) if (isCard(value)) out.push(readCard(id, value));
  return out;
}

/** The text that says most about a card besides its name: a label's annotation, an attribute's definition. */
export const cardDetail = (card: Card): string | null =>
  card.kind === CardKind.label ? card.annotation : card.kind === CardKind.attribute ? card.definition : null;

/** A named cluster as the `clusters` map holds it. */
export interface NamedCluster {
  readonly name: string;
  readonly size?: number;
  readonly suggested?: boolean;
}

/** Reads a `clusters` entry (a plain object, or a Y.Map's JSON), or null when it is not one. */
export function readCluster(value: unknown): NamedCluster | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as { name?: unknown; size?: unknown; suggested?: unknown };
  if (typeof v.name !== 'string') return null;
  return {
    name: v.name,
    ...(num(v.size) !== null ? { size: v.size as number } : {}),
    ...(v.suggested === true ? { suggested: true } : {}),
  };
}
