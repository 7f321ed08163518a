import type { CaseTransition } from '../cases/case';
import { aCase as fixtureCase, FIXTURE_TIME } from '../test-support/a-case';
import { toResidentStatusView, trackingNumberHint } from './resident-status-view';

const T = FIXTURE_TIME;
const ID = `cc_${'a'.repeat(32)}`;

const aCase = fixtureCase(ID, 'ten_secret_tenant', {
  parcel: {
    parcelId: 'prc_0123456789abcdef0123456789abcdef',
    carrierCode: 'sf-express',
    trackingNumber: 'SF1234567890',
  },
  deadlineSource: 'carrier',
  expedited: true,
  expediteReasons: ['high_value'],
  triggerEventId: 'evt-trigger-1',
  recipientNameDigest: { value: new Uint8Array([0xde, 0xad, 0xbe, 0xef]), keyId: 'digest-key-7' },
  version: 2,
});
const history: CaseTransition[] = [
  { caseId: ID, from: null, to: 'opened', at: T, cause: 'customs_hold', causeEventId: 'evt-trigger-1' },
  {
    caseId: ID,
    from: 'opened',
    to: 'awaiting_documents',
    at: T,
    cause: 'customs_hold',
    causeEventId: 'evt-trigger-1',
  },
];

describe('toResidentStatusView', () => {
  const view = toResidentStatusView({
    case: aCase,
    history,
    linkExpiresAt: new Date(T.getTime() + 240 * 3_600_000),
    language: 'en',
    now: T,
  });

  it('shows where the clearance stands', () => {
    expect(view).toMatchObject({
      reference: ID,
      language: 'en',
      parcel: { carrierCode: 'sf-express', trackingNumberLast4: '7890' },
      holdReason: { code: 'id_documents_required' },
      state: 'awaiting_documents',
      open: true,
      deadline: aCase.deadline.toISOString(),
      expedited: true,
      nextAction: { code: 'upload_documents' },
    });
    expect(view.steps.find((s) => s.status === 'current')?.code).toBe('documents_needed');
  });

  it('carries nothing that identifies the person or the parcel elsewhere', () => {
    const text = JSON.stringify(view);
    for (const secret of [
      'SF1234567890',
      '34567890',
      'ten_secret_tenant',
      aCase.parcel.parcelId,
      'evt-trigger-1',
      'digest-key-7',
      'deadbeef',
      Buffer.from([0xde, 0xad, 0xbe, 0xef]).toString('base64'),
      'pol_default_cn',
      'high_value',
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('gives no tracking hint for numbers short enough to be given away by it', () => {
    expect(trackingNumberHint('AB123')).toBeNull();
    expect(trackingNumberHint('ABCD1234')).toBe('1234');
  });
});
