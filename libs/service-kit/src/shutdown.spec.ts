import { EventEmitter } from 'node:events';
import { installGracefulShutdown } from './shutdown';

function fakeProcess() {
  const emitter = new EventEmitter();
  const exits: number[] = [];
  return {
    exits,
    on: (e: string, l: (s: NodeJS.Signals) => void) => emitter.on(e, l),
    removeListener: (e: string, l: (s: NodeJS.Signals) => void) => emitter.removeListener(e, l),
    exit: (code: number) => exits.push(code),
    signal: (s: NodeJS.Signals) => emitter.emit(s, s),
    listeners: (s: string) => emitter.listenerCount(s),
  };
}

const logger = () => ({ info: jest.fn(), warn: jest.fn(), error: jest.fn(), fatal: jest.fn() });
const flush = () => new Promise((r) => setImmediate(r));

describe('installGracefulShutdown', () => {
  afterEach(() => jest.useRealTimers());

  it('on SIGTERM: drains, closes the app, flushes, then exits 0 — in that order', async () => {
    const proc = fakeProcess();
    const order: string[] = [];
    installGracefulShutdown({
      app: { close: async (signal) => void order.push(`close:${signal}`) },
      timeoutMs: 1_000,
      logger: logger(),
      process: proc,
      onDraining: () => order.push('draining'),
      afterClose: async () => void order.push('flush'),
    });
    proc.signal('SIGTERM');
    await flush();
    expect(order).toEqual(['draining', 'close:SIGTERM', 'flush']);
    expect(proc.exits).toEqual([0]);
  });

  it('closes once when signals repeat during the drain', async () => {
    const proc = fakeProcess();
    let release!: () => void;
    const close = jest.fn(() => new Promise<void>((r) => (release = r)));
    const log = logger();
    installGracefulShutdown({ app: { close }, timeoutMs: 1_000, logger: log, process: proc });
    proc.signal('SIGTERM');
    proc.signal('SIGINT');
    proc.signal('SIGTERM');
    release();
    await flush();
    expect(close).toHaveBeenCalledTimes(1);
    expect(log.warn).toHaveBeenCalledWith(expect.anything(), 'shutdown already in progress');
    expect(proc.exits).toEqual([0]);
  });

  it('exits 1 when closing takes longer than the timeout', async () => {
    jest.useFakeTimers();
    const proc = fakeProcess();
    const log = logger();
    installGracefulShutdown({
      app: { close: () => new Promise(() => undefined) },
      timeoutMs: 5_000,
      logger: log,
      process: proc,
    });
    proc.signal('SIGTERM');
    jest.advanceTimersByTime(4_999);
    expect(proc.exits).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(proc.exits).toEqual([1]);
    expect(log.fatal).toHaveBeenCalled();
  });

  it('exits 1 when closing fails, after still flushing', async () => {
    const proc = fakeProcess();
    const afterClose = jest.fn(async () => undefined);
    installGracefulShutdown({
      app: { close: () => Promise.reject(new Error('consumer would not stop')) },
      timeoutMs: 1_000,
      logger: logger(),
      process: proc,
      afterClose,
    });
    proc.signal('SIGTERM');
    await flush();
    expect(afterClose).toHaveBeenCalled();
    expect(proc.exits).toEqual([1]);
  });

  it('can be triggered programmatically and disposed', async () => {
    const proc = fakeProcess();
    const handle = installGracefulShutdown({
      app: { close: async () => undefined },
      timeoutMs: 1_000,
      logger: logger(),
      process: proc,
    });
    expect(proc.listeners('SIGTERM')).toBe(1);
    await expect(handle.shutdown('test')).resolves.toBe(0);
    handle.dispose();
    expect(proc.listeners('SIGTERM')).toBe(0);
  });
});
