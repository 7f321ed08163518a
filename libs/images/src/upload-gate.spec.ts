import { UploadBusyError, UploadGate } from './upload-gate';

const tick = () => new Promise((r) => setImmediate(r));

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('UploadGate', () => {
  it('runs at most `slots` uploads at once and lets the next one in as one finishes', async () => {
    const gate = new UploadGate(2, 10_000);
    const started: number[] = [];
    const blockers = [deferred(), deferred(), deferred()];
    const runs = blockers.map((b, i) =>
      gate.run(async () => {
        started.push(i);
        await b.promise;
        return i;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect(gate.waiting).toBe(1);
    blockers[0]!.resolve();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    blockers[1]!.resolve();
    blockers[2]!.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2]);
    expect(gate.waiting).toBe(0);
  });

  it('answers 503 uploads_busy to a request that waited too long, and frees its place in the queue', async () => {
    jest.useFakeTimers();
    try {
      const gate = new UploadGate(1, 1_000);
      const hold = deferred();
      const first = gate.run(() => hold.promise);
      const second = gate.run(async () => 'never');
      jest.advanceTimersByTime(1_001);
      await expect(second).rejects.toBeInstanceOf(UploadBusyError);
      await expect(second).rejects.toMatchObject({ status: 503, code: 'uploads_busy' });
      expect(gate.waiting).toBe(0);
      hold.resolve();
      await first;
    } finally {
      jest.useRealTimers();
    }
  });

  it('refuses at once when the queue is full', async () => {
    const gate = new UploadGate(1, 10_000, 1);
    const hold = deferred();
    const first = gate.run(() => hold.promise);
    const queued = gate.run(async () => 'queued');
    await expect(gate.run(async () => 'third')).rejects.toBeInstanceOf(UploadBusyError);
    hold.resolve();
    await first;
    expect(await queued).toBe('queued');
  });

  it('releases the slot when the work throws', async () => {
    const gate = new UploadGate(1, 1_000);
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(async () => 'next')).toBe('next');
  });
});
