import { MASKED_ID, MASKED_PHONE, personalDataCensor, REDACTED, scrubPersonalData } from './pii';

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

describe('personalDataCensor', () => {
  const censor = personalDataCensor(['plate']);
  const censored = (value: unknown) => JSON.parse(censor(`${JSON.stringify(value)}\n`)) as unknown;

  it('censors personal keys at any depth, inside arrays too, and the extra keys', () => {
    const deep = { a: { b: { c: { d: { e: { f: { name: 'Li Na', idNumber: 'X' } } } } } } };
    expect(censored(deep)).toEqual({
      a: { b: { c: { d: { e: { f: { name: REDACTED, idNumber: REDACTED } } } } } },
    });
    expect(censored({ list: [{ phone: '1' }, [{ address: { city: 'x' } }]], plate: 'B-1' })).toEqual({
      list: [{ phone: REDACTED }, [{ address: REDACTED }]],
      plate: REDACTED,
    });
  });

  it('censors credential headers in any headers object, listed or by name pattern, in any case', () => {
    expect(
      censored({
        req: { headers: { Authorization: 'Bearer x', 'x-custom-token': 't', accept: '*/*' } },
        outbound: { call: { headers: { 'webhook-signature': 'v1,x', 'x-aftership-hmac-sha256': 'h' } } },
      }),
    ).toEqual({
      req: { headers: { Authorization: REDACTED, 'x-custom-token': REDACTED, accept: '*/*' } },
      outbound: { call: { headers: { 'webhook-signature': REDACTED, 'x-aftership-hmac-sha256': REDACTED } } },
    });
  });

  it("censors the headers that carry a client's address (personal data)", () => {
    expect(
      censored({ req: { headers: { 'X-Forwarded-For': '198.51.100.7, 10.0.0.1', forwarded: 'for=198.51.100.7', 'x-real-ip': '198.51.100.7', host: 'console' } } }),
    ).toEqual({ req: { headers: { 'X-Forwarded-For': REDACTED, forwarded: REDACTED, 'x-real-ip': REDACTED, host: 'console' } } });
  });

  it('gives a line without any such key back as it is (the common case: one regex test)', () => {
    const line =
      '{"level":"info","msg":"webhook received","outcome":"accepted","note":"say \\"name\\": no"}\n';
    expect(censor(line)).toBe(line);
    expect(censor('not json "name": at all')).toBe('not json "name": at all');
  });

  it('keeps the line ending and leaves other values untouched', () => {
    const out = censor('{"level":"info","user":{"name":"张伟","id":"u_1"},"n":3}\n');
    expect(out).toBe('{"level":"info","user":{"name":"[redacted]","id":"u_1"},"n":3}\n');
  });
});
