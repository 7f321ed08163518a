import { carrier } from '@portico/contracts';
import {
  changesHistory,
  observationKindOf,
  planObservation,
  shouldEmit,
  type HoldHistoryState,
  type Observation,
} from './hold-observation';

const T = (minutes: number) => new Date(Date.UTC(2026, 10, 24, 6, minutes));
const S = carrier.TrackingStatus;

const row = (over: Partial<HoldHistoryState> = {}): HoldHistoryState => ({
  features: {
    carrierCode: 'sf-express',
    originCountryCode: 'JP',
    destinationCountryCode: 'CN',
    valueBand: '<200',
  },
  firstSeenAt: T(0),
  heldAt: null,
  resolvedAt: null,
  predictedAt: null,
  ...over,
});
const seen = (kind: Observation['kind'], minutes = 10, late = false): Observation => ({
  kind,
  occurredAt: T(minutes),
  late,
});

describe('observationKindOf', () => {
  it('tells document holds, outcomes, in-transit statuses and the rest apart', () => {
    const irrelevant = { kind: 'irrelevant' } as const;
    expect(observationKindOf({ kind: 'hold', reason: 'id_documents_required' }, S.CUSTOMS_HOLD)).toBe(
      'document_hold',
    );
    expect(observationKindOf({ kind: 'hold', reason: 'duties_unpaid' }, S.CUSTOMS_HOLD)).toBe('other');
    expect(observationKindOf({ kind: 'hold', reason: 'inspection' }, S.CUSTOMS_HOLD)).toBe('other');
    expect(observationKindOf({ kind: 'released', trigger: 'delivered' }, S.DELIVERED)).toBe('resolved');
    expect(observationKindOf({ kind: 'returned_to_sender' }, S.EXCEPTION)).toBe('resolved');
    expect(observationKindOf(irrelevant, S.INFO_RECEIVED)).toBe('in_transit');
    expect(observationKindOf(irrelevant, S.IN_TRANSIT)).toBe('in_transit');
    expect(observationKindOf(irrelevant, S.AVAILABLE_FOR_PICKUP)).toBe('other');
    expect(observationKindOf(irrelevant, S.UNKNOWN)).toBe('other');
  });
});

describe('planObservation', () => {
  it('first sight in transit: create the row and predict', () => {
    expect(planObservation(undefined, seen('in_transit'))).toEqual({
      create: true,
      markHeldAt: null,
      markResolvedAt: null,
      predict: true,
    });
  });

  it('first sight at a document hold: create, held and resolved at the hold, no prediction', () => {
    expect(planObservation(undefined, seen('document_hold', 5))).toEqual({
      create: true,
      markHeldAt: T(5),
      markResolvedAt: T(5),
      predict: false,
    });
  });

  it('only the first hold and the first outcome count', () => {
    const held = row({ heldAt: T(5), resolvedAt: T(5) });
    const again = planObservation(held, seen('document_hold', 20));
    expect(again).toEqual({ create: false, markHeldAt: null, markResolvedAt: null, predict: false });
    expect(changesHistory(again)).toBe(false);
    expect(planObservation(held, seen('resolved', 30)).markResolvedAt).toBeNull();
  });

  it('a parcel released first and held for documents later becomes held, its resolution stays', () => {
    expect(planObservation(row({ resolvedAt: T(5) }), seen('document_hold', 20))).toEqual({
      create: false,
      markHeldAt: T(20),
      markResolvedAt: null,
      predict: false,
    });
  });

  it('predicts once: not after an estimate, an outcome or a hold, not on a late event, not on other statuses', () => {
    expect(planObservation(row(), seen('in_transit')).predict).toBe(true);
    expect(planObservation(row({ predictedAt: T(1) }), seen('in_transit')).predict).toBe(false);
    expect(planObservation(row({ resolvedAt: T(1) }), seen('in_transit')).predict).toBe(false);
    expect(planObservation(row({ heldAt: T(1), resolvedAt: T(1) }), seen('in_transit')).predict).toBe(false);
    expect(planObservation(row(), seen('in_transit', 10, true)).predict).toBe(false);
    expect(planObservation(row(), seen('other')).predict).toBe(false);
    expect(changesHistory(planObservation(row(), seen('other')))).toBe(false);
    // a late first sighting still records the parcel
    expect(planObservation(undefined, seen('in_transit', 10, true))).toMatchObject({
      create: true,
      predict: false,
    });
  });
});

describe('shouldEmit', () => {
  it('emits at or above an enabled threshold only', () => {
    expect(shouldEmit(0.5, { threshold: 0.5, enabled: true })).toBe(true);
    expect(shouldEmit(0.4999, { threshold: 0.5, enabled: true })).toBe(false);
    expect(shouldEmit(0.99, { threshold: 0.5, enabled: false })).toBe(false);
  });
});
