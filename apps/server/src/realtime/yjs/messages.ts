import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import type * as Y from 'yjs';

/** y-websocket message types (the first varUint of every message). */
export const MessageType = { sync: 0, awareness: 1, queryAwareness: 3 } as const;

function frame(type: number, write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, type);
  write(encoder);
  return encoding.toUint8Array(encoder);
}

/** Sync step 1: the state vector of `doc`, asking the other side for what it lacks. */
export const syncStep1 = (doc: Y.Doc) => frame(MessageType.sync, (e) => syncProtocol.writeSyncStep1(e, doc));

/** Sync step 2: what `doc` has beyond the other side's state vector. */
export const syncStep2 = (doc: Y.Doc, stateVector: Uint8Array) =>
  frame(MessageType.sync, (e) => syncProtocol.writeSyncStep2(e, doc, stateVector));

/** One document update. */
export const syncUpdate = (update: Uint8Array) => frame(MessageType.sync, (e) => syncProtocol.writeUpdate(e, update));

/** One awareness update. */
export const awarenessUpdateMessage = (update: Uint8Array) =>
  frame(MessageType.awareness, (e) => encoding.writeVarUint8Array(e, update));

/** The presence of `clients` (all known ones by default). */
export const awarenessMessage = (awareness: awarenessProtocol.Awareness, clients = [...awareness.getStates().keys()]) =>
  awarenessUpdateMessage(awarenessProtocol.encodeAwarenessUpdate(awareness, clients));
