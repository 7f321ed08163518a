import { CARRIER_ACCOUNT_ID, newCarrierAccountId, SecretBox, secretAssociatedData } from './secret-box';

// The cipher itself is specified in libs/auth (secrets/secret-box.spec.ts); these are carrier-ingestion's own parts.
describe('carrier account ids and sealed-secret binding', () => {
  it('makes unguessable account ids', () => {
    const id = newCarrierAccountId();
    expect(id).toMatch(CARRIER_ACCOUNT_ID);
    expect(newCarrierAccountId()).not.toBe(id);
  });

  it('binds a sealed secret to its account and version', () => {
    const box = new SecretBox([{ id: 'k1', key: Buffer.alloc(32, 1) }]);
    const sealed = box.seal('whsec_abc', secretAssociatedData('ca_00000000000000000000000000000001', 1));
    expect(() => box.open(sealed, secretAssociatedData('ca_00000000000000000000000000000002', 1))).toThrow();
    expect(() => box.open(sealed, secretAssociatedData('ca_00000000000000000000000000000001', 2))).toThrow();
    expect(box.open(sealed, secretAssociatedData('ca_00000000000000000000000000000001', 1))).toBe(
      'whsec_abc',
    );
  });
});
