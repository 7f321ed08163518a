import { ConflictError } from '@portico/service-kit';
import { QueryFailedError } from 'typeorm';
import {
  DatabaseQueryError,
  guardDatabase,
  isDatabaseUnavailable,
  TemporarilyUnavailableError,
} from './database-errors';

const pgError = (code: string, message = 'boom') => Object.assign(new Error(message), { code });

describe('database availability', () => {
  it.each([
    [
      'connection refused',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    ],
    ['a lost connection', new Error('Connection terminated unexpectedly')],
    ['a pool connect timeout', new Error('timeout exceeded when trying to connect')],
    ['an admin shutdown', pgError('57P01', 'terminating connection due to administrator command')],
    ['a missing database', pgError('3D000', 'database "x" does not exist')],
    ['our statement timeout', pgError('57014', 'canceling statement due to statement timeout')],
    ['a lock timeout', pgError('55P03')],
    ['too many connections', pgError('53300')],
    ['a serialisation failure', pgError('40001')],
    ['happy-eyeballs connect failures', new AggregateError([pgError('ECONNREFUSED')], 'all failed')],
    ['a driver error wrapped by TypeORM', new QueryFailedError('SELECT 1', [], pgError('08006'))],
  ])('treats %s as temporary', (_label, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', pgError('23505')],
    ['a syntax error', pgError('42601')],
    ['a plain bug', new TypeError('x is undefined')],
    ['not an error at all', 'nope'],
  ])('does not treat %s as temporary', (_label, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe('guardDatabase', () => {
  it('turns unavailability into a 503 with a retry hint', async () => {
    const error = await guardDatabase(() => Promise.reject(pgError('ECONNREFUSED'))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemporarilyUnavailableError);
    expect(error).toMatchObject({ status: 503, code: 'temporarily_unavailable', reason: 'ECONNREFUSED' });
  });

  it("drops a failed query's parameters (they can hold raw webhook bodies)", async () => {
    const failed = new QueryFailedError(
      'INSERT …',
      [Buffer.from('{"name":"王芳"}')],
      pgError('23514', 'check violation'),
    );
    const error = await guardDatabase(() => Promise.reject(failed)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseQueryError);
    expect(JSON.stringify(error)).not.toContain('王芳');
    expect(String(error)).toContain('SQLSTATE 23514');
  });

  it('lets domain errors and results through', async () => {
    const conflict = new ConflictError('x', { en: 'x', zh: 'x' });
    await expect(guardDatabase(() => Promise.reject(conflict))).rejects.toBe(conflict);
    await expect(guardDatabase(async () => 42)).resolves.toBe(42);
  });
});
