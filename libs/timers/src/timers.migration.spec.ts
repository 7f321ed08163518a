import { createTimersMigration, TIMERS_MIGRATION_TIMESTAMP } from './timers.migration';

describe('createTimersMigration', () => {
  it('names the migration with its timestamp, as TypeORM expects', () => {
    const Migration = createTimersMigration(1_800_000_000_000);
    expect(new Migration().name).toBe('PorticoTimersTable1800000000000');
    expect(new (createTimersMigration())().name).toBe(`PorticoTimersTable${TIMERS_MIGRATION_TIMESTAMP}`);
  });

  it('rejects timestamps that are not epoch milliseconds', () => {
    expect(() => createTimersMigration(1_800_000_000)).toThrow(/13 digits/);
  });
});
