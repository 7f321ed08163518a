import { formatMoney, formatTime, labelOf } from './evidence-pdf-labels';

describe('evidence PDF labels', () => {
  it('formats minor units without floats, by the currency\'s decimals', () => {
    expect(formatMoney({ currencyCode: 'CNY', amountMinor: '128000' })).toBe('CNY 1280.00');
    expect(formatMoney({ currencyCode: 'USD', amountMinor: '5' })).toBe('USD 0.05');
    expect(formatMoney({ currencyCode: 'JPY', amountMinor: '3500' })).toBe('JPY 3500');
    expect(formatMoney({ currencyCode: 'CNY', amountMinor: '-1999' })).toBe('CNY -19.99');
    expect(formatMoney({ currencyCode: 'CNY', amountMinor: '90071992547409930' })).toBe('CNY 900719925474099.30');
  });

  it('labels codes in zh and en, and prints an unknown code as it is', () => {
    expect(labelOf('reason', 'carrier_damaged')).toBe('承运商报破损 Carrier: damaged');
    expect(labelOf('status', 'brand_new_status')).toBe('brand_new_status');
  });

  it('prints times in UTC to the second', () => {
    expect(formatTime('2026-11-20T09:05:07.123Z')).toBe('2026-11-20 09:05:07 UTC');
  });
});
