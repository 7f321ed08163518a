import { parcelHits, type TaskHit } from './search-match';

const t = (over: Partial<TaskHit> & Pick<TaskHit, 'id' | 'parcelId'>): TaskHit => ({
  tenantId: 'ten_1',
  propertyId: 'prop_a',
  caseId: `case_${over.id}`,
  carrierCode: 'sf-express',
  trackingNumber: 'SF1234567890',
  kind: 'documents_requested',
  state: 'open',
  expedited: false,
  deadline: null,
  createdAt: '2026-12-01T08:00:00.000Z',
  escalationLevel: 'steward',
  stewardId: 'stf_1',
  stewardName: '王管家',
  residentName: '欧阳明哲',
  matched: ['tracking_number'],
  ...over,
});

const P1 = 'prc_11111111111111111111111111111111';
const P2 = 'prc_22222222222222222222222222222222';

describe('parcelHits', () => {
  it('one hit per parcel for all its tasks: newest facts, most pressing state, every case', () => {
    const hits = parcelHits([
      t({ id: 'a', parcelId: P1, state: 'closed', createdAt: '2026-11-01T00:00:00.000Z' }),
      t({ id: 'b', parcelId: P1, state: 'acknowledged', createdAt: '2026-12-02T00:00:00.000Z', stewardId: 'stf_9' }),
    ]);
    expect(hits).toEqual([
      expect.objectContaining({ parcelId: P1, state: 'acknowledged', stewardId: 'stf_9', caseIds: ['case_a', 'case_b'], lastActivityAt: '2026-12-02T00:00:00.000Z' }),
    ]);
  });

  it('says the most specific match of the parcel and keeps the unit the steward may see', () => {
    const [hit] = parcelHits([
      t({ id: 'a', parcelId: P1, matched: ['resident'] }),
      t({ id: 'b', parcelId: P1, matched: ['unit', 'resident'], unitLabel: '12-03' }),
    ]);
    expect(hit).toMatchObject({ matched: 'unit', unitLabel: '12-03' });
    expect(parcelHits([t({ id: 'c', parcelId: P2, matched: ['resident'], residentName: undefined })])[0]).toMatchObject({ matched: 'resident', residentName: null, unitLabel: null });
  });

  it('active parcels first, then the most recent', () => {
    const hits = parcelHits([
      t({ id: 'a', parcelId: P1, state: 'closed', createdAt: '2026-12-03T00:00:00.000Z' }),
      t({ id: 'b', parcelId: P2, state: 'open', createdAt: '2026-11-01T00:00:00.000Z' }),
    ]);
    expect(hits.map((h) => h.parcelId)).toEqual([P2, P1]);
    expect(parcelHits([])).toEqual([]);
  });
});
