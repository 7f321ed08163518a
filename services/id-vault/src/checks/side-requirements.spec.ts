import { common } from '@portico/contracts';
import { DocumentCheckInputError } from './check-input-error';
import { checkSides, isId1Card, requiredSides } from './side-requirements';

const { DocumentSide: Side, DocumentType: Type } = common;

describe('side requirements', () => {
  it('needs front and back for two-sided cards and one page otherwise', () => {
    expect(requiredSides(Type.RESIDENT_ID_CARD)).toEqual([Side.FRONT, Side.BACK]);
    expect(requiredSides(Type.HK_MACAO_TRAVEL_PERMIT)).toEqual([Side.FRONT, Side.BACK]);
    expect(requiredSides(Type.TAIWAN_TRAVEL_PERMIT)).toEqual([Side.FRONT, Side.BACK]);
    expect(requiredSides(Type.PASSPORT)).toEqual([Side.SINGLE_PAGE]);
    expect(requiredSides(Type.PROOF_OF_VALUE)).toEqual([Side.SINGLE_PAGE]);
    expect(requiredSides(Type.DUTY_PAYMENT_PROOF)).toEqual([Side.SINGLE_PAGE]);
    expect(isId1Card(Type.RESIDENT_ID_CARD)).toBe(true);
    expect(isId1Card(Type.PASSPORT)).toBe(false);
  });

  it('passes complete submissions', () => {
    expect(checkSides(Type.RESIDENT_ID_CARD, undefined, [Side.BACK, Side.FRONT])).toEqual([]);
    expect(checkSides(Type.PASSPORT, Type.PASSPORT, [Side.SINGLE_PAGE])).toEqual([]);
  });

  it('names each missing side', () => {
    expect(checkSides(Type.RESIDENT_ID_CARD, undefined, [Side.FRONT])).toEqual([
      { code: 'side_missing', side: Side.BACK },
    ]);
    expect(checkSides(Type.TAIWAN_TRAVEL_PERMIT, undefined, [])).toEqual([
      { code: 'side_missing', side: Side.FRONT },
      { code: 'side_missing', side: Side.BACK },
    ]);
    expect(checkSides(Type.PASSPORT, undefined, [])).toEqual([
      { code: 'side_missing', side: Side.SINGLE_PAGE },
    ]);
  });

  it('reports the wrong kind of document', () => {
    expect(checkSides(Type.RESIDENT_ID_CARD, Type.PASSPORT, [Side.FRONT, Side.BACK])).toEqual([
      { code: 'wrong_document_type' },
    ]);
    // Card sides for a passport: someone sent a card.
    expect(checkSides(Type.PASSPORT, undefined, [Side.FRONT, Side.BACK])).toEqual([
      { code: 'wrong_document_type', side: Side.FRONT },
      { code: 'wrong_document_type', side: Side.BACK },
      { code: 'side_missing', side: Side.SINGLE_PAGE },
    ]);
    expect(checkSides(Type.RESIDENT_ID_CARD, undefined, [Side.FRONT, Side.BACK, Side.SINGLE_PAGE])).toEqual([
      { code: 'wrong_document_type', side: Side.SINGLE_PAGE },
    ]);
  });

  it('throws on malformed requests instead of blaming the resident', () => {
    expect(() => checkSides(Type.RESIDENT_ID_CARD, undefined, [Side.FRONT, Side.FRONT])).toThrow(
      DocumentCheckInputError,
    );
    expect(() => checkSides(Type.RESIDENT_ID_CARD, undefined, [Side.UNSPECIFIED])).toThrow(
      DocumentCheckInputError,
    );
    expect(() => checkSides(Type.UNSPECIFIED, undefined, [Side.FRONT])).toThrow(/requestedType/);
  });
});
