import { MASKED_ID, MASKED_PHONE, redactPaths, scrubPersonalData } from './pii';

describe('scrubPersonalData', () => {
  it.each([
    ['11010519491231002X', MASKED_ID],
    ['11010519491231002x', MASKED_ID],
    ['440524188001010014', MASKED_ID],
    ['110105491231002', MASKED_ID],
    ['13812345678', MASKED_PHONE],
    ['+8613812345678', MASKED_PHONE],
    ['+86 138 1234 5678', MASKED_PHONE],
    ['0086-138-1234-5678', MASKED_PHONE],
  ])('masks %s', (value, mask) => {
    expect(scrubPersonalData(`before ${value} after`)).toBe(`before ${mask} after`);
    expect(scrubPersonalData(`号码${value}。`)).toBe(`号码${mask}。`);
    expect(scrubPersonalData(`{"v":"${value}"}`)).toBe(`{"v":"${mask}"}`);
  });

  it.each([
    ['a trace id', '4bf92f3577b34da6a3ce929d0e0e4736'],
    ['a hex id with a digit run', 'ab13812345678cd'],
    ['an epoch-millis timestamp', '1795392000000'],
    ['a longer number', '138123456789'],
    ['a UUID', '0192f8a4-5c3e-7b21-9a4d-13812345678e'],
    ['a waybill number', 'SF1234567890123'],
  ])('leaves %s alone', (_label, value) => {
    expect(scrubPersonalData(`x ${value} y`)).toBe(`x ${value} y`);
  });
});

describe('redactPaths', () => {
  it('covers personal keys at several depths and credential headers', () => {
    const paths = redactPaths();
    expect(paths).toEqual(
      expect.arrayContaining([
        'name',
        '*.name',
        '*.*.phone',
        '*.*.*.*.idNumber',
        'req.headers["authorization"]',
      ]),
    );
  });
});
