import { Registry } from '@portico/observability';
import type { EntityManager } from 'typeorm';
import { memoryLogger } from '../test-support';
import type { TrackingRun, TrackingUpdate } from './parcel-projection';
import { ParcelsMetrics } from './parcels.metrics';
import type { ParcelsRepository } from './parcels.repository';
import { ParcelsService } from './parcels.service';
import { at, eventId } from './test-support/tracking-updates';

const m = {} as EntityManager;

function update(parcelId: string, overrides: Partial<TrackingUpdate> = {}): TrackingUpdate {
  return {
    eventId: eventId(),
    tenantId: 'ten_1',
    parcelId,
    carrierCode: 'sf-express',
    trackingNumber: `SF${parcelId}`,
    status: 'in_transit',
    occurredAt: at(1),
    late: false,
    hint: null,
    ...overrides,
  };
}

function setup() {
  const calls: TrackingRun[][] = [];
  const repo = {
    upsertMany: async (_m: EntityManager, runs: readonly TrackingRun[]) => {
      calls.push([...runs]);
    },
  } as unknown as ParcelsRepository;
  const registry = new Registry();
  const log = memoryLogger();
  const service = new ParcelsService(repo, new ParcelsMetrics(registry), log.logger);
  return { service, calls, registry, log };
}

describe('ParcelsService.recordTrackingUpdates', () => {
  it('writes a chunk with one statement, one run per parcel, and counts what it could not key', async () => {
    const t = setup();
    await t.service.recordTrackingUpdates(m, [
      update('prc_a'),
      update('prc_b'),
      update('prc_a', { occurredAt: at(2) }),
      update(''),
    ]);
    expect(t.calls).toHaveLength(1);
    expect(t.calls[0]!.map((r) => r.parcelId)).toEqual(['prc_a', 'prc_b']);
    const metrics = await t.registry.metrics();
    expect(metrics).toContain('portico_parcel_projection_updates_total{outcome="projected"} 3');
    expect(metrics).toContain('portico_parcel_projection_updates_total{outcome="unkeyed"} 1');
    expect(metrics).toContain('portico_parcel_projection_write_seconds_count 1');
    // counts only in the log: never a tracking number
    expect(t.log.text()).toContain('"updates":3,"parcels":2');
    expect(t.log.text()).not.toContain('SFprc_a');
  });

  it('issues no statement for a chunk with nothing to key', async () => {
    const t = setup();
    await t.service.recordTrackingUpdates(m, [update('', { tenantId: '' })]);
    expect(t.calls).toHaveLength(0);
  });
});
