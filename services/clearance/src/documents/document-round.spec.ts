import {
  allAtLeast,
  channelOf,
  currentDocuments,
  typesToReupload,
  type CaseDocument,
} from './document-round';

const T = new Date('2026-11-24T06:00:00Z');
let n = 0;
function doc(overrides: Partial<CaseDocument>): CaseDocument {
  n += 1;
  return {
    documentId: `doc_${n}`,
    round: 1,
    type: 'resident_id_card',
    uploadRequestId: 'upr_1',
    channel: 'secure_upload',
    status: 'submitted',
    grantId: null,
    submittedAt: new Date(T.getTime() + n * 1000),
    ...overrides,
  };
}

describe('document rounds', () => {
  it('is complete only when every required type has a document that is not rejected', () => {
    const required = ['resident_id_card', 'proof_of_value'] as const;
    const card = doc({ type: 'resident_id_card' });
    expect(allAtLeast(required, [card], 'submitted')).toBe(false);
    const value = doc({ type: 'proof_of_value' });
    expect(allAtLeast(required, [card, value], 'submitted')).toBe(true);
    expect(allAtLeast(required, [card, { ...value, status: 'rejected' }], 'submitted')).toBe(false);
  });

  it('lets the newest document stand for its type, and keeps an approved one from an earlier round', () => {
    const required = ['resident_id_card', 'proof_of_value'] as const;
    const oldCard = doc({ type: 'resident_id_card', status: 'rejected' });
    const value = doc({ type: 'proof_of_value', status: 'approved' });
    const newCard = doc({ type: 'resident_id_card', round: 2 });
    const current = currentDocuments(required, [oldCard, value, newCard]);
    expect(current.get('resident_id_card')).toBe(newCard);
    expect(current.get('proof_of_value')).toBe(value);
    expect(allAtLeast(required, [oldCard, value, newCard], 'approved')).toBe(false);
    expect(allAtLeast(required, [oldCard, value, { ...newCard, status: 'relayed' }], 'approved')).toBe(true);
  });

  it('asks again only for what was rejected and not replaced', () => {
    const required = ['resident_id_card', 'proof_of_value'] as const;
    const docs = [doc({ type: 'resident_id_card', status: 'rejected' }), doc({ type: 'proof_of_value' })];
    expect(typesToReupload(required, docs)).toEqual(['resident_id_card']);
  });

  it('ignores documents of types the case does not need', () => {
    expect(currentDocuments(['passport'], [doc({ type: 'resident_id_card' })]).size).toBe(0);
  });

  it('counts a round as steward-assisted when any document was uploaded by a steward', () => {
    expect(channelOf([doc({}), doc({})])).toBe('secure_upload');
    expect(channelOf([doc({}), doc({ channel: 'steward_assisted' })])).toBe('steward_assisted');
  });
});
