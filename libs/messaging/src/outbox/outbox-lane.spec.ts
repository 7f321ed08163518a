import { OUTBOX_LANE_COUNT, outboxLaneOf } from './outbox-lane';
import { createMessagingMigration, MESSAGING_MIGRATION_TIMESTAMP } from './messaging.migration';

describe('outboxLaneOf', () => {
  it('is stable for a key and spreads keys over all lanes', () => {
    expect(outboxLaneOf('prc_0123456789abcdef0123456789abcdef')).toBe(
      outboxLaneOf('prc_0123456789abcdef0123456789abcdef'),
    );
    const lanes = new Set(Array.from({ length: 5_000 }, (_, i) => outboxLaneOf(`prc_${i}`)));
    expect(lanes.size).toBe(OUTBOX_LANE_COUNT);
    for (const lane of lanes) expect(lane).toBeGreaterThanOrEqual(0);
  });

  it('is pinned: changing the hash would reorder keys in a non-empty outbox', () => {
    expect(outboxLaneOf('prc_a')).toBe(outboxLaneOf('prc_a'));
    expect([outboxLaneOf(''), outboxLaneOf('a'), outboxLaneOf('包裹')]).toEqual([5, 44, 13]);
  });
});

describe('createMessagingMigration', () => {
  it('names the migration with the 13-digit timestamp TypeORM parses', () => {
    const Migration = createMessagingMigration();
    expect(new Migration().name).toBe(`PorticoMessagingTables${MESSAGING_MIGRATION_TIMESTAMP}`);
    expect(new (createMessagingMigration(1_800_000_000_000))().name).toBe(
      'PorticoMessagingTables1800000000000',
    );
    expect(() => createMessagingMigration(123)).toThrow(/13 digits/);
  });
});
