import type { TaskView } from '../parcels/upstream-shapes';
import { normaliseSearchText, searchTasks, stewardsOf } from './search-match';

const t = (over: Partial<TaskView> & Pick<TaskView, 'id' | 'parcelId'>): TaskView => ({
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
  ...over,
});

const P1 = 'prc_11111111111111111111111111111111';
const P2 = 'prc_22222222222222222222222222222222';

describe('normaliseSearchText', () => {
  it('ignores case, spaces, dashes and full-width digits', () => {
    expect(normaliseSearchText(' sf 1234-５６７８ ')).toBe('sf12345678');
  });
});

describe('searchTasks', () => {
  const tasks = [
    t({ id: 'a', parcelId: P1, state: 'closed', createdAt: '2026-11-01T00:00:00.000Z' }),
    t({ id: 'b', parcelId: P1, state: 'acknowledged', createdAt: '2026-12-02T00:00:00.000Z' }),
    t({ id: 'c', parcelId: P2, trackingNumber: 'YT9988776655', residentName: '司马静怡', propertyId: 'prop_b', stewardId: 'stf_2', stewardName: '李管家' }),
  ];

  it('finds a parcel by part of its tracking number typed loosely, one hit for all its tasks', () => {
    const hits = searchTasks(tasks, { text: 'sf 1234 5678' });
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ parcelId: P1, matched: 'tracking_number', state: 'acknowledged', caseIds: ['case_a', 'case_b'], lastActivityAt: '2026-12-02T00:00:00.000Z' });
  });

  it('finds by resident name and narrows by property and steward', () => {
    expect(searchTasks(tasks, { text: '静怡' }).map((h) => [h.parcelId, h.matched])).toEqual([[P2, 'resident']]);
    expect(searchTasks(tasks, { text: '静怡', propertyId: 'prop_a' })).toEqual([]);
    expect(searchTasks(tasks, { text: '欧阳', stewardId: 'stf_2' })).toEqual([]);
    expect(searchTasks(tasks, { text: '欧阳', stewardId: 'stf_1' }).map((h) => h.parcelId)).toEqual([P1]);
  });

  it('puts active parcels before closed ones, then the most recent', () => {
    const more = [...tasks, t({ id: 'd', parcelId: 'prc_33333333333333333333333333333333', state: 'closed', createdAt: '2026-12-09T00:00:00.000Z' })];
    expect(searchTasks(more, { text: 'SF12' }).map((h) => h.state)).toEqual(['acknowledged', 'closed']);
  });

  it('finds nothing for blank text or a name it cannot see', () => {
    expect(searchTasks(tasks, { text: ' - ' })).toEqual([]);
    expect(searchTasks([t({ id: 'x', parcelId: P1, residentName: undefined })], { text: '欧阳' })).toEqual([]);
  });
});

describe('stewardsOf', () => {
  it('lists each steward once, by id', () => {
    expect(stewardsOf([t({ id: 'a', parcelId: P1 }), t({ id: 'b', parcelId: P2, stewardId: 'stf_0', stewardName: undefined }), t({ id: 'c', parcelId: P1 })])).toEqual([
      { id: 'stf_0', name: null },
      { id: 'stf_1', name: '王管家' },
    ]);
  });
});
