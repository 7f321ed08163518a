import { createHash } from 'node:crypto';
import {
  InvalidParcelReferenceError,
  isParcelId,
  normaliseCarrierCode,
  normaliseTrackingNumber,
  parcelId,
  parcelRef,
} from './parcel-id';

describe('parcelId', () => {
  it('is stable: a fixed input always gives the same published id', () => {
    // Pinned values: changing them changes every topic key and stored id on the platform.
    expect(parcelId('sf-express', 'SF1234567890123')).toBe('prc_be8d8b2949667bc3d2acd534ea20e2a2');
    expect(parcelId('ups', '1Z999AA10123456784')).toBe('prc_1b7a0f5edbb191f9913f2707988c5f84');
  });

  it('is the first 16 bytes of SHA-256("<carrier>:<tracking>") in hex', () => {
    const expected = createHash('sha256').update('ems:EA123456789CN').digest('hex').slice(0, 32);
    expect(parcelId('ems', 'EA123456789CN')).toBe(`prc_${expected}`);
  });

  it('normalises case, spaces, dashes, full-width and invisible characters', () => {
    const id = parcelId('sf-express', 'SF1234567890123');
    for (const variant of [
      'sf1234567890123',
      ' SF 1234 5678 9012 3 ',
      'SF-1234-5678-9012-3',
      'SF\u20131234\u20145678\u22129012\u00a03',
      'ＳＦ１２３４５６７８９０１２３',
      'SF\u200b1234567890123\ufeff',
      'SF\t1234567890123\n',
    ]) {
      expect(parcelId('sf-express', variant)).toBe(id);
    }
    expect(parcelId(' SF-Express ', 'SF1234567890123')).toBe(id);
  });

  it('keeps carriers apart and keeps dashes in carrier codes', () => {
    expect(parcelId('sf-express', 'X1')).not.toBe(parcelId('sfexpress', 'X1'));
    expect(parcelId('ems', 'X1')).not.toBe(parcelId('ups', 'X1'));
  });

  it('has the documented shape', () => {
    const id = parcelId('dhl', '1234567890');
    expect(id).toMatch(/^prc_[0-9a-f]{32}$/);
    expect(isParcelId(id)).toBe(true);
    expect(isParcelId('prc_XYZ')).toBe(false);
    expect(isParcelId('1234567890')).toBe(false);
  });

  it('refuses empty tracking numbers and malformed carrier codes without echoing the input', () => {
    expect(() => parcelId('ups', ' - ')).toThrow(InvalidParcelReferenceError);
    expect(() => parcelId('', '123')).toThrow(InvalidParcelReferenceError);
    expect(() => parcelId('s f', '123')).toThrow(InvalidParcelReferenceError);
    expect(() => parcelId('ups:x', '123')).toThrow(InvalidParcelReferenceError);
    try {
      parcelId('ups', '\u200b');
    } catch (e) {
      expect((e as InvalidParcelReferenceError).code).toBe('CONTRACTS_INVALID_PARCEL_REFERENCE');
    }
  });

  it('exposes the normalisers', () => {
    expect(normaliseCarrierCode('  EMS ')).toBe('ems');
    expect(normaliseTrackingNumber('ea 123-456-789 cn')).toBe('EA123456789CN');
  });

  it('builds a normalised ParcelRef', () => {
    const ref = parcelRef('SF-Express', 'sf 1234-5678-9012-3');
    expect(ref.$typeName).toBe('portico.common.v1.ParcelRef');
    expect(ref.carrierCode).toBe('sf-express');
    expect(ref.trackingNumber).toBe('SF1234567890123');
    expect(ref.parcelId).toBe('prc_be8d8b2949667bc3d2acd534ea20e2a2');
  });
});
