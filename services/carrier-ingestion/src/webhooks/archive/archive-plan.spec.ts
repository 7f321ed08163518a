import { partitionDay, partitionName, planArchiveMaintenance, utcDay } from './archive-plan';

describe('archive maintenance plan', () => {
  const now = new Date('2026-11-24T15:30:00Z');

  it('names day partitions by UTC day and reads the day back', () => {
    expect(partitionName(utcDay(now))).toBe('webhook_receipts_p20261124');
    expect(partitionDay('webhook_receipts_p20261124')).toEqual(new Date('2026-11-24T00:00:00Z'));
    expect(partitionDay('webhook_receipts_default')).toBeUndefined();
    expect(partitionDay('outbox')).toBeUndefined();
  });

  it('creates today and the days ahead that are missing', () => {
    const plan = planArchiveMaintenance({
      now,
      existing: ['webhook_receipts_p20261124', 'webhook_receipts_p20261126'],
      retentionDays: 30,
      daysAhead: 3,
    });
    expect(plan.create.map(partitionName)).toEqual([
      'webhook_receipts_p20261125',
      'webhook_receipts_p20261127',
    ]);
    expect(plan.drop).toEqual([]);
  });

  it('drops only days wholly past the retention', () => {
    const plan = planArchiveMaintenance({
      now,
      existing: [
        'webhook_receipts_p20261022', // ends 10-23 00:00, before the cutoff 10-25 15:30
        'webhook_receipts_p20261024', // ends 10-25 00:00: gone
        'webhook_receipts_p20261025', // still holds rows newer than the cutoff: kept
        'webhook_receipts_p20261124',
      ],
      retentionDays: 30,
      daysAhead: 0,
    });
    expect(plan.cutoff).toEqual(new Date('2026-10-25T15:30:00Z'));
    expect(plan.drop).toEqual(['webhook_receipts_p20261022', 'webhook_receipts_p20261024']);
    expect(plan.create).toEqual([]);
  });
});
