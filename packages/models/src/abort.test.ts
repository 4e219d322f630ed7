import { describe, expect, it } from 'vitest';
import { abortable, sleep } from './abort.js';
import { ProviderError } from './provider.js';

describe('abortable', () => {
  it('stops waiting on a source that ignores the signal, with the abort reason', async () => {
    let returned = false;
    const stuck: AsyncIterable<string> = {
      [Symbol.asyncIterator]: () => ({
        next: () => new Promise<IteratorResult<string>>(() => {}),
        return: async (): Promise<IteratorResult<string>> => {
          returned = true;
          return { done: true, value: undefined };
        },
      }),
    };
    const controller = new AbortController();
    setTimeout(() => controller.abort(new ProviderError('TIMEOUT', 'too slow')), 20);
    const seen: string[] = [];
    await expect(async () => {
      for await (const item of abortable(stuck, controller.signal)) seen.push(item);
    }).rejects.toMatchObject({ code: 'TIMEOUT', message: 'too slow' });
    expect(seen).toEqual([]);
    expect(returned).toBe(true);
  });

  it('passes every item through in order when nothing aborts', async () => {
    async function* source() {
      for (const item of ['a', 'b', 'c']) {
        await sleep(1, new AbortController().signal);
        yield item;
      }
    }
    const seen: string[] = [];
    for await (const item of abortable(source(), new AbortController().signal)) seen.push(item);
    expect(seen).toEqual(['a', 'b', 'c']);
  });
});
