import { recipientHint, scrubberFor } from './recipient-hint';

const key = { id: 'k1', secret: 'digest-key-0123456789-abcdefghijklmnopq' };

describe('scrubbing published free text', () => {
  const scrub = scrubberFor({ name: 'Li  Wei', phone: '+86 138 0013 8000' });

  it('removes the recipient name in any spacing or case, and the phone in any format', () => {
    expect(scrub('Signed by LI WEI at the door')).toBe('Signed by [redacted] at the door');
    expect(scrub('call liwei on 138-0013-8000')).toBe('call [redacted] on [redacted]');
    expect(scrub('call 008613800138000 please')).toBe('call [redacted] please');
  });

  it('masks other mobile and resident ID numbers too', () => {
    expect(scrub('courier 13912345678')).toBe('courier [phone]');
    expect(scrub('ID 11010519491231002X')).toBe('ID [id-number]');
  });

  it('leaves ordinary text alone', () => {
    expect(scrub('Departed Shenzhen hub, flight CA1234')).toBe('Departed Shenzhen hub, flight CA1234');
    expect(scrubberFor(undefined)('Arrived')).toBe('Arrived');
  });

  it('does not redact single characters of a one-character name', () => {
    expect(scrubberFor({ name: 'A' })('Tower A')).toBe('Tower A');
  });
});

describe('recipientHint', () => {
  it('is absent when the provider sends no recipient', () => {
    expect(recipientHint(undefined, key)).toBeUndefined();
  });

  it('removes the name and phone from an address line that carries them', () => {
    const hint = recipientHint(
      { name: '张三', phone: '13800138000', addressLine: '张三 13800138000 上海市浦东新区世纪大道88号' },
      key,
    )!;
    expect(hint.addressLine).toBe('[redacted] [redacted] 上海市浦东新区世纪大道88号');
    expect(hint.nameDigest).toBeDefined();
    expect(hint.phoneDigest).toBeDefined();
  });

  it('normalises full-width characters and omits digests it has nothing for', () => {
    const hint = recipientHint({ addressLine: 'Ｔｏｗｅｒ　Ａ', unit: ' １２－０３ ', phone: 'n/a' }, key)!;
    expect(hint.addressLine).toBe('Tower A');
    expect(hint.unit).toBe('12-03');
    expect(hint.nameDigest).toBeUndefined();
    expect(hint.phoneDigest).toBeUndefined();
  });
});
