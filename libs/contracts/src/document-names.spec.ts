import * as common from './domains/common';
import {
  DOCUMENT_TYPES,
  documentTypeFromContract,
  documentTypeToContract,
  REJECTION_REASONS,
  rejectionReasonFromContract,
  rejectionReasonToContract,
} from './document-names';

describe('document names', () => {
  it('maps every document type name to a distinct contract value and back', () => {
    const values = DOCUMENT_TYPES.map(documentTypeToContract);
    expect(new Set(values).size).toBe(DOCUMENT_TYPES.length);
    expect(values).not.toContain(common.DocumentType.UNSPECIFIED);
    for (const name of DOCUMENT_TYPES)
      expect(documentTypeFromContract(documentTypeToContract(name))).toBe(name);
  });

  it('never guesses a document type: UNSPECIFIED and unknown values have no name', () => {
    expect(documentTypeFromContract(common.DocumentType.UNSPECIFIED)).toBeUndefined();
    expect(documentTypeFromContract(999 as common.DocumentType)).toBeUndefined();
  });

  it('round-trips every rejection reason, and reads an unknown one as `other` (still a rejection)', () => {
    for (const r of REJECTION_REASONS)
      expect(rejectionReasonFromContract(rejectionReasonToContract(r))).toBe(r);
    expect(rejectionReasonFromContract(common.DocumentRejectionReason.UNSPECIFIED)).toBe('other');
    expect(rejectionReasonFromContract(999 as common.DocumentRejectionReason)).toBe('other');
  });
});
