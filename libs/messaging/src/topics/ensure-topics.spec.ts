import type { Admin } from 'kafkajs';
import { ensureTopics } from './ensure-topics';

/** The two admin calls ensureTopics makes, scripted: a fake at the broker boundary. */
function fakeAdmin(createResults: (Error | undefined)[], existing: string[] = []) {
  const topics = new Set(existing);
  const calls = { list: 0, create: 0 };
  const admin = {
    listTopics: async () => (calls.list++, [...topics]),
    createTopics: async ({ topics: requested }: { topics: { topic: string }[] }) => {
      const failure = createResults[calls.create++];
      for (const t of requested) topics.add(t.topic); // the broker created them even when it then failed
      if (failure) throw failure;
      return true;
    },
  } as unknown as Admin;
  return { admin, calls };
}

const retriable = Object.assign(new Error('This server does not host this topic-partition'), {
  retriable: true,
  type: 'UNKNOWN_TOPIC_OR_PARTITION',
});
const spec = (name: string) => ({ name, partitions: 3 });

describe('ensureTopics', () => {
  it('creates only the missing topics', async () => {
    const { admin, calls } = fakeAdmin([], ['a']);
    expect(await ensureTopics(admin, [spec('a'), spec('b'), spec('b')])).toEqual({
      created: ['b'],
      existing: ['a'],
    });
    expect(calls).toEqual({ list: 1, create: 1 });
  });

  it('checks again after a retriable broker error, and then finds the topics made meanwhile', async () => {
    const { admin, calls } = fakeAdmin([retriable]);
    const result = await ensureTopics(admin, [spec('a')], { backoffMs: 1 });
    expect(result).toEqual({ created: [], existing: ['a'] });
    expect(calls).toEqual({ list: 2, create: 1 });
  });

  it('gives up after the attempts it was given, with the broker error', async () => {
    const { admin, calls } = fakeAdmin([retriable, retriable, retriable]);
    // the topic never appears in the list in this script: the fake forgets it
    (admin as unknown as { listTopics: () => Promise<string[]> }).listTopics = async () => (calls.list++, []);
    await expect(ensureTopics(admin, [spec('a')], { attempts: 3, backoffMs: 1 })).rejects.toBe(retriable);
    expect(calls).toEqual({ list: 3, create: 3 });
  });

  it('fails at once on an error that is not retriable', async () => {
    const fatal = Object.assign(new Error('Topic authorization failed'), { retriable: false });
    const { admin, calls } = fakeAdmin([fatal]);
    await expect(ensureTopics(admin, [spec('a')], { backoffMs: 1 })).rejects.toBe(fatal);
    expect(calls.create).toBe(1);
  });
});
