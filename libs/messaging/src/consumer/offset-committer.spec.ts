import type { Consumer } from 'kafkajs';
import { OffsetCommitter } from './offset-committer';

function fakeConsumer(fail = false) {
  const commits: Array<Array<{ topic: string; partition: number; offset: string }>> = [];
  const consumer = {
    commitOffsets: jest.fn(async (offsets: Array<{ topic: string; partition: number; offset: string }>) => {
      if (fail) throw new Error('not the coordinator');
      commits.push(offsets);
    }),
  } as unknown as Consumer;
  return { consumer, commits };
}
const log = { warn: jest.fn(), log: jest.fn(), error: jest.fn() };

describe('OffsetCommitter', () => {
  it('commits the next offset of every partition in one request, the newest mark winning', async () => {
    const { consumer, commits } = fakeConsumer();
    const committer = new OffsetCommitter(consumer, 10_000, log);
    committer.mark('t', 0, '5');
    committer.mark('t', 0, '6');
    committer.mark('t', 1, '2');
    await committer.flush();
    expect(commits).toEqual([
      [
        { topic: 't', partition: 0, offset: '7' },
        { topic: 't', partition: 1, offset: '3' },
      ],
    ]);
    await committer.flush(); // nothing new: no request
    expect(commits).toHaveLength(1);
  });

  it('commits on its own after the interval', async () => {
    const { consumer, commits } = fakeConsumer();
    const committer = new OffsetCommitter(consumer, 5, log);
    committer.mark('t', 3, '41');
    await new Promise((r) => setTimeout(r, 40));
    expect(commits).toEqual([[{ topic: 't', partition: 3, offset: '42' }]]);
  });

  it('logs a failed commit instead of throwing: the records are finished, redelivery is harmless', async () => {
    const { consumer } = fakeConsumer(true);
    const committer = new OffsetCommitter(consumer, 10_000, log);
    committer.mark('t', 0, '1');
    await expect(committer.flush()).resolves.toBeUndefined();
    expect(log.warn).toHaveBeenCalledWith(expect.stringContaining('t[0]@2'));
  });
});
