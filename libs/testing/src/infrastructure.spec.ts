import { once, resolveSource, type SourceOptions } from './infrastructure';

function options(overrides: Partial<SourceOptions<string>>): SourceOptions<string> & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    fromEnv: () => (calls.push('env'), undefined),
    dockerAvailable: async () => (calls.push('docker?'), false),
    fromContainer: async () => (calls.push('container'), 'container:1'),
    fromLocal: async () => (calls.push('local'), 'local:1'),
    ...overrides,
  };
}

describe('resolveSource', () => {
  it('takes what the environment names without asking Docker', async () => {
    const o = options({ fromEnv: () => 'env:1' });
    await expect(resolveSource(o)).resolves.toEqual({ source: 'env', value: 'env:1' });
    expect(o.calls).toEqual([]);
  });

  it('uses a container when a Docker engine answers', async () => {
    const o = options({ dockerAvailable: async () => true });
    await expect(resolveSource(o)).resolves.toEqual({ source: 'testcontainers', value: 'container:1' });
    expect(o.calls).toEqual(['env', 'container']);
  });

  it('falls back to the local service without Docker', async () => {
    const o = options({});
    await expect(resolveSource(o)).resolves.toEqual({ source: 'local', value: 'local:1' });
    expect(o.calls).toEqual(['env', 'docker?', 'local']);
  });

  it('surfaces a container failure instead of silently using the local service', async () => {
    const o = options({
      dockerAvailable: async () => true,
      fromContainer: async () => {
        throw new Error('pull failed');
      },
    });
    await expect(resolveSource(o)).rejects.toThrow('pull failed');
    expect(o.calls).not.toContain('local');
  });
});

describe('once', () => {
  it('runs the factory once for concurrent and later callers', async () => {
    let runs = 0;
    const cached = once(async () => ++runs);
    await expect(Promise.all([cached.get(), cached.get()])).resolves.toEqual([1, 1]);
    await expect(cached.get()).resolves.toBe(1);
    expect(runs).toBe(1);
  });

  it('does not cache a failure', async () => {
    let runs = 0;
    const cached = once(async () => {
      runs += 1;
      if (runs === 1) throw new Error('broker not up yet');
      return runs;
    });
    await expect(cached.get()).rejects.toThrow('broker not up yet');
    await expect(cached.get()).resolves.toBe(2);
  });
});
