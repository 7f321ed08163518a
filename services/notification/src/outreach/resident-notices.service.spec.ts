import { common, parcelRef } from '@portico/contracts';
import type { EntityManager } from 'typeorm';
import type { DirectoryRepository } from '../directory/directory.repository';
import type { ParcelProjection } from '../parcels/parcel-projection';
import type { ParcelsRepository } from '../parcels/parcels.repository';
import { RecipientResolver } from '../parcels/recipient-resolver';
import { DIGEST_KEYS, memoryLogger } from '../test-support';
import type { FollowUpMessages, HoldPredictedInput } from '../messages/follow-up-messages';
import { ResidentNoticesService, type HoldPredictedNotice } from './resident-notices.service';
import type { TaskActionsRepository } from './task-actions.repository';

const m = {} as EntityManager;
const NOW = new Date('2026-12-03T06:00:00Z');

function projection(tenantId: string, parcelId: string): ParcelProjection {
  return {
    tenantId,
    parcelId,
    carrierCode: 'sf-express',
    trackingNumber: 'SF1234567890',
    status: 'in_transit',
    statusOccurredAt: NOW,
    lastEventId: '0193a0c0-0000-7000-8000-000000000001',
    hint: null,
    hintOccurredAt: null,
    resolution: null,
  };
}

function setup(projected: ParcelProjection[], followUps?: FollowUpMessages) {
  const reads: Array<{ tenantId: string; parcelIds: readonly string[] }> = [];
  const parcels = {
    findManyForUpdate: async (_m: EntityManager, tenantId: string, parcelIds: readonly string[]) => {
      reads.push({ tenantId, parcelIds });
      return new Map(
        projected
          .filter((p) => p.tenantId === tenantId && parcelIds.includes(p.parcelId))
          .map((p) => [p.parcelId, p]),
      );
    },
  } as unknown as ParcelsRepository;
  // a directory without anyone at the parcels' addresses: every unresolved parcel stays unmatched
  const directoryReads: string[] = [];
  const directory = {
    resolutionInputs: async () => {
      directoryReads.push('resolutionInputs');
      return { preRegistered: new Map(), properties: [], residents: [] };
    },
  } as unknown as DirectoryRepository;
  const log = memoryLogger();
  const service = new ResidentNoticesService(
    {} as TaskActionsRepository,
    parcels,
    new RecipientResolver(directory, { recipientDigestKeys: DIGEST_KEYS }),
    () => NOW,
    log.logger,
    followUps,
  );
  return { service, reads, directoryReads, log };
}

function notice(tenantId: string, n: number, traced: string[]): HoldPredictedNotice {
  const ref = parcelRef('sf-express', `SF99900000${n}`);
  return {
    tenantId,
    parcel: { parcelId: ref.parcelId, carrierCode: ref.carrierCode, trackingNumber: ref.trackingNumber },
    documents: [common.DocumentType.RESIDENT_ID_CARD],
    inTrace: async (work) => {
      traced.push(ref.parcelId);
      return work();
    },
  };
}

describe('ResidentNoticesService.onHoldPredictedMany', () => {
  it('reads the parcels once per tenant for the whole batch and answers per event, in order', async () => {
    const traced: string[] = [];
    const batch = [notice('ten_a', 1, traced), notice('ten_b', 2, traced), notice('ten_a', 3, traced)];
    const t = setup([projection('ten_a', batch[2]!.parcel.parcelId)]);
    expect(await t.service.onHoldPredictedMany(m, batch)).toEqual([null, null, null]);
    expect(t.reads).toEqual([
      { tenantId: 'ten_a', parcelIds: [batch[0]!.parcel.parcelId, batch[2]!.parcel.parcelId] },
      { tenantId: 'ten_b', parcelIds: [batch[1]!.parcel.parcelId] },
    ]);
    // the projected parcel was resolved with one directory read, and matched nobody: no per-event work
    expect(t.directoryReads).toEqual(['resolutionInputs']);
    expect(traced).toEqual([]);
    const text = t.log.text();
    expect(text).toContain('holds predicted for parcels not projected yet; no heads-up');
    expect(text).toContain('"notProjected":2');
    expect(text).toContain('hold predicted for an unmatched parcel; no heads-up');
    expect(text).toContain('"unmatched":{"no_address":1}');
    // ids only in the logs: never the tracking number
    expect(text).not.toContain('SF99900000');
  });

  it('keeps the one-event form for callers with a single event', async () => {
    const traced: string[] = [];
    const t = setup([]);
    expect(await t.service.onHoldPredicted(m, notice('ten_a', 1, traced))).toBeNull();
    expect(t.reads).toHaveLength(1);
  });

  it("queues the resolved parcels' heads-ups with one call for the run, a duplicate parcel once", async () => {
    const traced: string[] = [];
    const resolved = (p: ParcelProjection): ParcelProjection => ({
      ...p,
      resolution: {
        propertyId: 'prop_a',
        unitId: 'unit_1',
        residentId: `res_${p.parcelId}`,
        method: 'address_match',
      },
    });
    const batch = [notice('ten_a', 1, traced), notice('ten_a', 2, traced), notice('ten_a', 1, traced)];
    const calls: HoldPredictedInput[][] = [];
    const keys = new Set<string>();
    const followUps = {
      holdPredictedMany: async (_m: EntityManager, inputs: readonly HoldPredictedInput[]) => {
        calls.push([...inputs]);
        return inputs.map((input) => {
          if (keys.has(input.parcel.parcelId)) return null; // the dedupe key, as the messages table has it
          keys.add(input.parcel.parcelId);
          return `msg_${input.parcel.parcelId.slice(-4)}`;
        });
      },
    } as unknown as FollowUpMessages;
    const t = setup(
      [
        resolved(projection('ten_a', batch[0]!.parcel.parcelId)),
        resolved(projection('ten_a', batch[1]!.parcel.parcelId)),
      ],
      followUps,
    );
    const ids = await t.service.onHoldPredictedMany(m, batch);
    expect(ids).toEqual([
      `msg_${batch[0]!.parcel.parcelId.slice(-4)}`,
      `msg_${batch[1]!.parcel.parcelId.slice(-4)}`,
      null,
    ]);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.map((i) => i.residentId)).toEqual([
      `res_${batch[0]!.parcel.parcelId}`,
      `res_${batch[1]!.parcel.parcelId}`,
      `res_${batch[0]!.parcel.parcelId}`,
    ]);
    // stored resolutions need no directory read; each queued line is logged in its own event's trace
    expect(t.directoryReads).toEqual([]);
    expect(traced).toEqual([batch[0]!.parcel.parcelId, batch[1]!.parcel.parcelId]);
    expect(t.log.text()).not.toContain('SF99900000');
  });
});
