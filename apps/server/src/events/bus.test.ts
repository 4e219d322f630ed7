import { describe, expect, it } from 'vitest';
import { type DomainEvent, InProcessEventBus } from './bus.js';

const labels: DomainEvent = { type: 'labels-added', groupId: 'g', labelIds: ['l1'] };

describe('InProcessEventBus', () => {
  it('hands an event to the subscribers of its type only, and waits for them', async () => {
    const bus = new InProcessEventBus(() => undefined);
    const seen: string[] = [];
    bus.subscribe('labels-added', async (event) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      seen.push(`a:${event.groupId}`);
    });
    bus.subscribe('map-failed', () => {
      seen.push('wrong type');
    });
    await bus.publish(labels);
    expect(seen).toEqual(['a:g']);
  });

  it('runs every subscriber when one fails, then rejects with that failure', async () => {
    const bus = new InProcessEventBus(() => undefined);
    const seen: string[] = [];
    bus.subscribe('labels-added', () => {
      throw new Error('board full');
    });
    bus.subscribe('labels-added', () => {
      seen.push('second');
    });
    await expect(bus.publish(labels)).rejects.toThrow('board full');
    expect(seen).toEqual(['second']);
  });

  it('logs the failures of events nobody waits for', async () => {
    const failures: string[] = [];
    const bus = new InProcessEventBus((err, event) => failures.push(`${event.type}: ${(err as Error).message}`));
    bus.subscribe('labels-added', async () => {
      throw new Error('no room');
    });
    bus.notify(labels);
    await new Promise((resolve) => setImmediate(resolve));
    expect(failures).toEqual(['labels-added: no room']);
  });

  it('stops handing events to a subscriber that unsubscribed', async () => {
    const bus = new InProcessEventBus(() => undefined);
    let count = 0;
    const stop = bus.subscribe('labels-added', () => {
      count += 1;
    });
    await bus.publish(labels);
    stop();
    await bus.publish(labels);
    expect(count).toBe(1);
  });
});
