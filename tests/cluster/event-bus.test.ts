import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventStreamKey, RedisEventBus } from '../../apps/server/src/cluster/event-bus.js';
import { RedisConnections } from '../../apps/server/src/cluster/redis.js';
import type { DomainEvent } from '../../apps/server/src/events/bus.js';
import { until } from '../support/board-clients.js';
import { startThrowawayRedis, type ThrowawayRedis } from '../support/redis.js';

/** Two nodes' buses on one real Redis (Debian's redis-server), in one process. */

const quiet = { warn: () => undefined, info: () => undefined };
const failures: unknown[] = [];
const logFailure = (err: unknown) => failures.push(err);

let redis: ThrowawayRedis;
const nodes: { connections: RedisConnections; bus: RedisEventBus }[] = [];

async function node() {
  const connections = await RedisConnections.connect(redis.url, quiet);
  const bus = new RedisEventBus(connections, logFailure, quiet);
  nodes.push({ connections, bus });
  return bus;
}

const labels = (groupId: string): DomainEvent => ({ type: 'labels-added', groupId, labelIds: ['l1'] });

beforeAll(async () => {
  redis = await startThrowawayRedis();
});

afterAll(async () => {
  for (const { bus, connections } of nodes) {
    await bus.close();
    await connections.close();
  }
  await redis?.stop();
});

describe('the domain event bus over Redis', () => {
  it('runs a subscriber on the publishing node only, unless it follows events from every node', async () => {
    const a = await node();
    const b = await node();
    const seen: string[] = [];
    for (const [name, bus] of [
      ['a', a],
      ['b', b],
    ] as const) {
      bus.subscribe('labels-added', (e) => void seen.push(`${name} once ${e.groupId}`));
      bus.subscribe('labels-added', (e) => void seen.push(`${name} every ${e.groupId}`), { everyNode: true });
      bus.start();
    }
    // Both readers are at the stream's end before anything is published.
    await new Promise((resolve) => setTimeout(resolve, 200));

    await a.publish(labels('g1'));
    // The publisher's subscribers have run when publish resolves; the other node's soon after.
    expect(seen.sort()).toEqual(['a every g1', 'a once g1']);
    await until(() => seen.includes('b every g1'), 'node b hears node a');
    await b.publish(labels('g2'));
    await until(() => seen.includes('a every g2'), 'node a hears node b');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen.sort()).toEqual(['a every g1', 'a every g2', 'a once g1', 'b every g1', 'b every g2', 'b once g2']);
    expect(failures).toEqual([]);
  });

  it('runs ordered subscribers on every node, the publisher included, in one shared order', async () => {
    const a = await node();
    const b = await node();
    const c = await node();
    const heard = new Map<string, string[]>();
    for (const [name, bus] of [
      ['a', a],
      ['b', b],
      ['c', c],
    ] as const) {
      heard.set(name, []);
      bus.subscribe('participants-changed', (e) => void heard.get(name)?.push(e.groupId), { ordered: true });
      bus.start();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Two nodes publish at once, over and over: without a shared order, each publisher would hear
    // its own at once and the other's later.
    for (let i = 0; i < 20; i++) {
      a.notify({ type: 'participants-changed', groupId: `a${i}` });
      b.notify({ type: 'participants-changed', groupId: `b${i}` });
    }
    await until(() => [...heard.values()].every((list) => list.length === 40), 'every node heard all 40');
    expect(heard.get('a')).toEqual(heard.get('c'));
    expect(heard.get('b')).toEqual(heard.get('c'));
  });

  it('does not relay a type nobody follows from every node', async () => {
    const a = await node();
    a.subscribe('map-failed', () => undefined);
    a.subscribe('labels-added', () => undefined, { everyNode: true });
    a.start();
    const client = nodes.at(-1)?.connections.client;
    const before = await client?.xLen(eventStreamKey);
    await a.publish({ type: 'map-failed', sessionId: 's', message: 'm' });
    await a.publish(labels('g3'));
    // The XADD went out on the same connection ahead of this XLEN: only labels-added was appended.
    expect(await client?.xLen(eventStreamKey)).toBe((before ?? 0) + 1);
  });

  it('goes on after Redis restarts empty: an event published after it reaches the other node', async () => {
    const a = await node();
    const b = await node();
    const heard: string[] = [];
    a.subscribe('session-state-changed', () => undefined, { everyNode: true });
    b.subscribe('session-state-changed', (e) => void heard.push(e.sessionId), { everyNode: true });
    a.start();
    b.start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const state = (sessionId: string) =>
      ({ type: 'session-state-changed', sessionId, state: {} }) as unknown as DomainEvent;
    await a.publish(state('before'));
    await until(() => heard.includes('before'), 'heard before the restart');

    await redis.restart();
    // Published while the nodes are still reconnecting: it waits in the publisher's queue.
    await a.publish(state('during'));
    await until(() => heard.includes('during'), 'heard what was published during the restart', 15_000);
    await a.publish(state('after'));
    await until(() => heard.includes('after'), 'heard after the restart', 15_000);
    expect(heard).toEqual(['before', 'during', 'after']);
  });
});
