import { waitFor, WaitForTimeoutError } from './wait-for';

describe('waitFor', () => {
  it('returns the first truthy value', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? { rows: calls } : undefined), { intervalMs: 1 });
    expect(value).toEqual({ rows: 3 });
  });

  it('treats a throwing predicate as "not yet"', async () => {
    let calls = 0;
    const value = await waitFor(
      async () => {
        calls += 1;
        if (calls < 3) throw new Error('not there yet');
        return 'done';
      },
      { intervalMs: 1 },
    );
    expect(value).toBe('done');
  });

  it('names what it waited for, the attempts and the last value on timeout', async () => {
    const error = await waitFor(() => 0, {
      timeoutMs: 30,
      intervalMs: 5,
      description: 'outbox drained',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitForTimeoutError);
    expect((error as Error).message).toMatch(
      /^waitFor: outbox drained not met within 30 ms \(\d+ attempts\); last value: 0$/,
    );
    expect((error as WaitForTimeoutError).attempts).toBeGreaterThan(1);
  });

  it('reports the last error, kept as the cause', async () => {
    const boom = new Error('relation "outbox" does not exist');
    const error = (await waitFor(
      () => {
        throw boom;
      },
      { timeoutMs: 20, intervalMs: 5 },
    ).catch((e: unknown) => e)) as WaitForTimeoutError;
    expect(error.message).toContain('last error: relation "outbox" does not exist');
    expect(error.cause).toBe(boom);
    expect(error.lastError).toBe(boom);
  });

  it('does not wait past the deadline for a predicate that hangs', async () => {
    const started = Date.now();
    const error = (await waitFor(() => new Promise<boolean>(() => undefined), { timeoutMs: 50 }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(error.message).toContain('still running at the deadline');
  });
});
