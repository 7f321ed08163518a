import { ROOT_CONTEXT } from '@opentelemetry/api';
import { carrier, clearance } from '@portico/contracts';
import type { OutboxEvent, OutboxWriter } from '@portico/messaging';
import type { DescMessage } from '@bufbuild/protobuf';
import type { PinoLogger } from 'nestjs-pino';
import { Registry } from 'prom-client';
import type { EntityManager } from 'typeorm';
import { applyHistoryRowWrites } from '../test-support/history-writes';
import type { RequirementPolicy } from '../cases/requirement-policy';
import type { TrackingSignal, TrackingUpdate } from '../cases/tracking-update';
import { ANY, cellKeyId, type CellKey } from './hold-features';
import type { HistoryPair, HoldHistoryRepository } from './hold-history.repository';
import { pairKey, type ChunkWrites } from './hold-prediction-fold';
import type { HoldHistoryState } from './hold-observation';
import { HoldPredictionService } from './hold-prediction.service';
import { ConcurrentHistoryWriteError } from './prediction-errors';
import { PredictionMetrics } from './prediction-metrics';
import type { PredictionPolicies } from './prediction-policies';
import type { PredictionSettingsService } from './prediction-settings.service';

const T0 = new Date('2026-11-24T06:00:00Z');
const PARCEL = {
  parcelId: 'prc_0123456789abcdef0123456789abcdef',
  carrierCode: 'sf-express',
  trackingNumber: 'SF1',
};
const m = {} as EntityManager;
const S = carrier.TrackingStatus;

const POLICY: RequirementPolicy = {
  id: 'pol_default_cn',
  version: 1,
  scope: { tenantId: null, carrierCode: null, originCountryCode: null, destinationCountryCode: 'CN' },
  requirements: { id_documents_required: ['resident_id_card'] },
  defaultDeadlineHours: 72,
  timers: null,
  expedite: {
    highValue: { minimum: { currencyCode: 'CNY', amountMinor: 500_000 }, referenceRates: { USD: 7.2 } },
    perishable: true,
    deadlineWithinHours: 48,
  },
};

/** The history table and its count cells, in memory: first write wins, counts follow the writes. */
class FakeHistory {
  readonly rows = new Map<string, HoldHistoryState>();
  /** Every non-empty chunk write, in order. */
  readonly writes: ChunkWrites[] = [];
  /** Summed counts per back-off level (this spec's parcels share one cell per level). */
  counts: Record<string, [number, number]> = {};
  loseNextInsert = false;

  async lockMany(_m: EntityManager, pairs: readonly HistoryPair[]) {
    const found = new Map<string, HoldHistoryState>();
    for (const p of pairs) {
      const row = this.rows.get(pairKey(p.tenantId, p.parcelId));
      if (row) found.set(pairKey(p.tenantId, p.parcelId), row);
    }
    return found;
  }

  async countsOf(_m: EntityManager, cells: readonly CellKey[]) {
    return new Map(
      cells.map((cell) => {
        const [resolved, held] = this.counts[levelOf(cell)] ?? [0, 0];
        return [cellKeyId(cell), { resolved, held }];
      }),
    );
  }

  async writeChunk(_m: EntityManager, w: ChunkWrites) {
    if (w.inserts.length + w.updates.length + w.counts.length === 0) return { lostInserts: [] };
    this.writes.push(w);
    const lost = w.inserts.filter(
      (r) => this.loseNextInsert || this.rows.has(pairKey(r.tenantId, r.parcelId)),
    );
    this.loseNextInsert = false;
    if (lost.length > 0) return { lostInserts: lost.map((r) => r.parcelId) };
    applyHistoryRowWrites(this.rows, w);
    for (const d of w.counts) {
      const [resolved, held] = this.counts[d.level] ?? [0, 0];
      this.counts[d.level] = [resolved + d.resolved, held + d.held];
    }
    return { lostInserts: [] };
  }
}

function levelOf(cell: CellKey): string {
  if (cell.destination === ANY) return 'all';
  if (cell.origin === ANY) return 'destination';
  if (cell.carrierCode === ANY) return 'lane';
  return cell.valueBand === ANY ? 'carrier' : 'cell';
}

function setup(settings = { threshold: 0.5, enabled: true }) {
  const history = new FakeHistory();
  const appended: OutboxEvent<DescMessage>[] = [];
  const outbox = {
    appendMany: async (_m: EntityManager, events: OutboxEvent<DescMessage>[]) => appended.push(...events),
  };
  const logged: unknown[] = [];
  const logger = { info: (o: unknown) => logged.push(o) } as unknown as PinoLogger;
  const registry = new Registry();
  let ids = 0;
  const service = new HoldPredictionService(
    history as unknown as HoldHistoryRepository,
    {
      effectiveMany: async (_m: EntityManager, tenants: string[]) =>
        new Map(tenants.map((t) => [t, settings])),
    } as unknown as PredictionSettingsService,
    { policyFor: async () => POLICY } as unknown as PredictionPolicies,
    outbox as unknown as OutboxWriter,
    new PredictionMetrics(registry),
    () => T0,
    (prefix) => `${prefix}_${String(++ids).padStart(32, '0')}`,
    logger,
  );
  /** One record as the consumer hands it over on the one-by-one path: a chunk of one, then its event. */
  const onTrackingUpdate = async (u: TrackingUpdate, status: carrier.TrackingStatus) => {
    const [outcome] = await service.predictChunk(m, [{ update: u, status }]);
    if (outcome!.emitted) {
      await service.emit(m, [{ prediction: outcome!.emitted, traceContext: ROOT_CONTEXT }]);
    }
    return outcome!;
  };
  return { service, onTrackingUpdate, history, appended, logged, registry };
}

const update = (signal: TrackingSignal, minutes = 0): TrackingUpdate => ({
  eventId: `ev-${minutes}`,
  tenantId: 'ten_a',
  parcel: PARCEL,
  occurredAt: new Date(T0.getTime() + minutes * 60_000),
  late: false,
  signal,
  shipment: {
    carrierCode: 'sf-express',
    originCountryCode: 'JP',
    destinationCountryCode: 'CN',
    declaredValue: { currencyCode: 'USD', amountMinor: 20_000n },
    perishable: false,
  },
  recipientNameDigest: null,
});
const irrelevant: TrackingSignal = { kind: 'irrelevant' };
const documentHold: TrackingSignal = { kind: 'hold', reason: 'id_documents_required' };
const strongHistory = {
  all: [30, 27],
  destination: [30, 27],
  lane: [30, 27],
  carrier: [30, 27],
  cell: [30, 27],
} as Record<string, [number, number]>;

describe('HoldPredictionService', () => {
  it('records first sight with its features (band through the policy rates) and emits HoldPredicted once', async () => {
    const { onTrackingUpdate, history, appended, logged, registry } = setup();
    history.counts = strongHistory;
    const outcome = await onTrackingUpdate(update(irrelevant), S.IN_TRANSIT);
    expect(outcome.estimate?.probability).toBeCloseTo(0.891808, 6);
    expect(history.writes[0]!.inserts[0]).toMatchObject({
      // 200 USD = 1440 CNY with the policy's rate
      features: {
        carrierCode: 'sf-express',
        originCountryCode: 'JP',
        destinationCountryCode: 'CN',
        valueBand: '1000-5000',
      },
      firstSeenAt: T0,
      prediction: {
        threshold: 0.5,
        modelVersion: 'beta-backoff/k=20/p0=0.1/v1',
        predictionId: `hp_${'1'.padStart(32, '0')}`,
      },
    });
    expect(appended).toHaveLength(1);
    expect(appended[0]).toMatchObject({
      topic: 'clearance.case.v1',
      key: PARCEL.parcelId,
      tenantId: 'ten_a',
    });
    const event = (appended[0]!.message as clearance.ClearanceCaseEvent).event;
    expect(event.case).toBe('holdPredicted');
    expect(event.value).toMatchObject({
      predictionId: `hp_${'1'.padStart(32, '0')}`,
      threshold: 0.5,
      modelVersion: 'beta-backoff/k=20/p0=0.1/v1',
      likelyDocuments: [1], // RESIDENT_ID_CARD
    });
    expect(JSON.stringify(logged)).not.toContain(PARCEL.trackingNumber);
    expect(await registry.getSingleMetricAsString('portico_clearance_holds_predicted_total')).toMatch(
      /model_version="beta-backoff\/k=20\/p0=0.1\/v1"\} 1/,
    );

    // the next scan and a later in-transit status change nothing
    await onTrackingUpdate(update(irrelevant, 10), S.IN_TRANSIT);
    await onTrackingUpdate(update(irrelevant, 20), S.INFO_RECEIVED);
    expect(appended).toHaveLength(1);
    expect(history.writes).toHaveLength(1);
  });

  it('stores an estimate below the threshold without emitting, and never estimates the parcel again', async () => {
    const { onTrackingUpdate, history, appended } = setup({ threshold: 0.95, enabled: true });
    history.counts = strongHistory;
    await onTrackingUpdate(update(irrelevant), S.IN_TRANSIT);
    expect(history.writes[0]!.inserts[0]!.prediction).toMatchObject({ threshold: 0.95, predictionId: null });
    history.counts = { ...strongHistory, cell: [1000, 1000] };
    const again = await onTrackingUpdate(update(irrelevant, 10), S.IN_TRANSIT);
    expect(again.estimate).toBeUndefined();
    expect(appended).toHaveLength(0);
  });

  it('estimates nothing for a tenant that turned predictions off', async () => {
    const { onTrackingUpdate, history, appended } = setup({ threshold: 0.1, enabled: false });
    history.counts = strongHistory;
    const outcome = await onTrackingUpdate(update(irrelevant), S.IN_TRANSIT);
    expect(outcome.estimate).toBeUndefined();
    expect(history.writes[0]!.inserts[0]!.prediction).toBeNull();
    expect(appended).toHaveLength(0);
  });

  it('marks the first document hold only, and never predicts after it', async () => {
    const { onTrackingUpdate, history, appended } = setup();
    await onTrackingUpdate(update(documentHold, 5), S.CUSTOMS_HOLD);
    expect(history.writes[0]!.inserts[0]).toMatchObject({
      heldAt: update(documentHold, 5).occurredAt,
      resolvedAt: update(documentHold, 5).occurredAt,
      prediction: null,
    });
    expect(history.counts).toMatchObject({ all: [1, 1], cell: [1, 1] });
    await onTrackingUpdate(update(documentHold, 15), S.CUSTOMS_HOLD);
    await onTrackingUpdate(update(irrelevant, 25), S.IN_TRANSIT);
    expect(history.writes).toHaveLength(1);
    expect(appended).toHaveLength(0);
  });

  it('throws (the transport retries) when another transaction recorded the first sight meanwhile', async () => {
    const { onTrackingUpdate, history, appended } = setup();
    history.counts = strongHistory;
    history.loseNextInsert = true;
    await expect(onTrackingUpdate(update(irrelevant), S.IN_TRANSIT)).rejects.toBeInstanceOf(
      ConcurrentHistoryWriteError,
    );
    expect(appended).toHaveLength(0);
  });
});
