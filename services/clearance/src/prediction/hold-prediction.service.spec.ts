import { carrier, clearance } from '@portico/contracts';
import type { OutboxEvent, OutboxWriter } from '@portico/messaging';
import type { DescMessage } from '@bufbuild/protobuf';
import type { PinoLogger } from 'nestjs-pino';
import { Registry } from 'prom-client';
import type { EntityManager } from 'typeorm';
import type { RequirementPolicy } from '../cases/requirement-policy';
import type { TrackingSignal, TrackingUpdate } from '../cases/tracking-update';
import type { LevelCounts } from './hold-estimator';
import type { HoldFeatures } from './hold-features';
import type { HistoryWrite, HoldHistoryRepository } from './hold-history.repository';
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
  readonly writes: HistoryWrite[] = [];
  counts: Record<string, [number, number]> = {};
  loseNextInsert = false;

  async findForUpdate(_m: EntityManager, tenantId: string, parcelId: string) {
    return this.rows.get(`${tenantId}/${parcelId}`);
  }

  async write(_m: EntityManager, w: HistoryWrite): Promise<boolean> {
    this.writes.push(w);
    const key = `${w.tenantId}/${w.parcelId}`;
    if (w.create && (this.loseNextInsert || this.rows.has(key))) {
      this.loseNextInsert = false;
      return false;
    }
    const before = this.rows.get(key);
    this.rows.set(key, {
      features: w.create?.features ?? before!.features,
      firstSeenAt: w.create?.firstSeenAt ?? before!.firstSeenAt,
      heldAt: before?.heldAt ?? w.markHeldAt,
      resolvedAt: before?.resolvedAt ?? w.markResolvedAt,
      predictedAt: before?.predictedAt ?? w.prediction?.at ?? null,
    });
    return true;
  }

  async levelCounts(_m: EntityManager, _f: HoldFeatures): Promise<LevelCounts> {
    const c = (level: string) => {
      const [resolved, held] = this.counts[level] ?? [0, 0];
      return { resolved, held };
    };
    return {
      all: c('all'),
      destination: c('destination'),
      lane: c('lane'),
      carrier: c('carrier'),
      cell: c('cell'),
    };
  }
}

function setup(settings = { threshold: 0.5, enabled: true }) {
  const history = new FakeHistory();
  const appended: OutboxEvent<DescMessage>[] = [];
  const outbox = { append: async (_m: EntityManager, e: OutboxEvent<DescMessage>) => appended.push(e) };
  const logged: unknown[] = [];
  const logger = { info: (o: unknown) => logged.push(o) } as unknown as PinoLogger;
  const registry = new Registry();
  let ids = 0;
  const service = new HoldPredictionService(
    history as unknown as HoldHistoryRepository,
    { effective: async () => settings } as unknown as PredictionSettingsService,
    { policyFor: async () => POLICY } as unknown as PredictionPolicies,
    outbox as unknown as OutboxWriter,
    new PredictionMetrics(registry),
    () => T0,
    (prefix) => `${prefix}_${String(++ids).padStart(32, '0')}`,
    logger,
  );
  return { service, history, appended, logged, registry };
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
    const { service, history, appended, logged, registry } = setup();
    history.counts = strongHistory;
    const outcome = await service.onTrackingUpdate(m, update(irrelevant), S.IN_TRANSIT);
    expect(outcome.estimate?.probability).toBeCloseTo(0.891808, 6);
    expect(history.writes[0]).toMatchObject({
      create: {
        // 200 USD = 1440 CNY with the policy's rate
        features: {
          carrierCode: 'sf-express',
          originCountryCode: 'JP',
          destinationCountryCode: 'CN',
          valueBand: '1000-5000',
        },
        firstSeenAt: T0,
      },
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
    await service.onTrackingUpdate(m, update(irrelevant, 10), S.IN_TRANSIT);
    await service.onTrackingUpdate(m, update(irrelevant, 20), S.INFO_RECEIVED);
    expect(appended).toHaveLength(1);
    expect(history.writes).toHaveLength(1);
  });

  it('stores an estimate below the threshold without emitting, and never estimates the parcel again', async () => {
    const { service, history, appended } = setup({ threshold: 0.95, enabled: true });
    history.counts = strongHistory;
    await service.onTrackingUpdate(m, update(irrelevant), S.IN_TRANSIT);
    expect(history.writes[0]!.prediction).toMatchObject({ threshold: 0.95, predictionId: null });
    history.counts = { ...strongHistory, cell: [1000, 1000] };
    const again = await service.onTrackingUpdate(m, update(irrelevant, 10), S.IN_TRANSIT);
    expect(again.estimate).toBeUndefined();
    expect(appended).toHaveLength(0);
  });

  it('estimates nothing for a tenant that turned predictions off', async () => {
    const { service, history, appended } = setup({ threshold: 0.1, enabled: false });
    history.counts = strongHistory;
    const outcome = await service.onTrackingUpdate(m, update(irrelevant), S.IN_TRANSIT);
    expect(outcome.estimate).toBeUndefined();
    expect(history.writes[0]!.prediction).toBeNull();
    expect(appended).toHaveLength(0);
  });

  it('marks the first document hold only, and never predicts after it', async () => {
    const { service, history, appended } = setup();
    await service.onTrackingUpdate(m, update(documentHold, 5), S.CUSTOMS_HOLD);
    expect(history.writes[0]).toMatchObject({
      markHeldAt: update(documentHold, 5).occurredAt,
      prediction: null,
    });
    await service.onTrackingUpdate(m, update(documentHold, 15), S.CUSTOMS_HOLD);
    await service.onTrackingUpdate(m, update(irrelevant, 25), S.IN_TRANSIT);
    expect(history.writes).toHaveLength(1);
    expect(appended).toHaveLength(0);
  });

  it('throws (the transport retries) when another transaction recorded the first sight meanwhile', async () => {
    const { service, history, appended } = setup();
    history.counts = strongHistory;
    history.loseNextInsert = true;
    await expect(service.onTrackingUpdate(m, update(irrelevant), S.IN_TRANSIT)).rejects.toBeInstanceOf(
      ConcurrentHistoryWriteError,
    );
    expect(appended).toHaveLength(0);
  });
});
