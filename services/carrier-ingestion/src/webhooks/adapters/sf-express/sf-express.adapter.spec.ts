import { createHash } from 'node:crypto';
import { signedSfRoutePush } from '@portico/testing/platform';
import { dedupeKeyOf } from '../../webhook-intake.service';
import {
  adapterFixtures,
  expectNothingLeaked,
  expectRejected,
  publishableEvent,
  rejection,
} from '../shared/adapter-spec-support';
import { javaUrlEncode, sfMsgDigest } from './sf-express-digest';
import { mapSfRoute, SF_EXPRESS_OP_CODES } from './sf-express-status-map';
import { SfExpressAdapter } from './sf-express.adapter';

const checkWord = 'fakeCheckWord0123456789abcdefXYZ';
const previousCheckWord = 'previousCheckWordBeforeRotation1';
const now = new Date('2026-11-23T02:00:00Z');
const FORM = 'application/x-www-form-urlencoded;charset=UTF-8';

const { text: fixture, names: fixtureNames } = adapterFixtures(__dirname);

/**
 * The digest written independently of the adapter: WHATWG form serialisation leaves exactly the
 * characters Java's URLEncoder leaves (a-z A-Z 0-9 * - . _) and writes a space as `+`.
 */
function digestOf(msgData: string, timestamp: string, secret: string): string {
  const encoded = new URLSearchParams([['', msgData + timestamp + secret]]).toString().slice(1);
  return createHash('md5').update(encoded).digest('base64');
}

/**
 * A push as SF's open platform posts it, by libs/testing's signer: form fields, msgData being the
 * route push JSON. The content type keeps its `;charset=UTF-8` parameter, which the adapter ignores.
 */
function formPush(msgData: string, opts: { secret?: string; at?: Date } = {}) {
  const { body } = signedSfRoutePush(opts.secret ?? checkWord, msgData, opts.at ?? now);
  return { raw: Buffer.from(body), headers: { 'content-type': FORM } };
}

/** The JSON variant: the route push as the body, digest and timestamp in headers. */
function jsonPush(msgData: string, opts: { secret?: string; at?: Date } = {}) {
  const timestamp = String((opts.at ?? now).getTime());
  return {
    raw: Buffer.from(msgData),
    headers: {
      'content-type': 'application/json',
      timestamp,
      msgdigest: digestOf(msgData, timestamp, opts.secret ?? checkWord),
    },
  };
}

function route(overrides: Record<string, unknown> = {}) {
  return {
    mailno: 'SF1234567890123',
    acceptAddress: '上海市',
    orderid: 'PORTICO-DEMO-0001',
    acceptTime: '2026-11-22 13:16:02',
    remark: '快件到达 【上海浦江中转场】',
    opCode: '31',
    id: '158164480156',
    ...overrides,
  };
}

const push = (...routes: object[]) => JSON.stringify({ Body: { WaybillRoute: routes } });

describe('sfMsgDigest', () => {
  it("reproduces the example of SF's digital signature documentation", () => {
    expect(
      sfMsgDigest(
        '{"language":"zh-CN","orderId":"QIAO-20200618-004"}',
        '12312334453453',
        'fjcg5PGKaNpPSHFAZ4QsCOkV71R3zVci',
      ),
    ).toBe('IIKJtuLVzoFTu4kHI8M8vA==');
  });

  it("URL-encodes as Java's URLEncoder (space as +, ! ' ( ) ~ encoded, * kept)", () => {
    expect(javaUrlEncode("a b!'()~*-._")).toBe('a+b%21%27%28%29%7E*-._');
    const tricky = '快件 到达\n【上海】 "100%" a+b&c=d ~!*\'() 😀';
    expect(javaUrlEncode(tricky)).toBe(new URLSearchParams([['', tricky]]).toString().slice(1));
  });
});

describe('SfExpressAdapter', () => {
  const adapter = new SfExpressAdapter();

  it('is the sf-express provider', () => {
    expect(adapter.provider).toBe('sf-express');
  });

  describe('verify (form envelope)', () => {
    it('accepts a push signed with the checkWord', () => {
      const { raw, headers } = formPush(fixture('in-transit'));
      expect(() => adapter.verify(raw, headers, [checkWord], now)).not.toThrow();
    });

    it('accepts the previous checkWord while both are active (rotation), and only then', () => {
      const { raw, headers } = formPush(fixture('in-transit'), { secret: previousCheckWord });
      expect(() => adapter.verify(raw, headers, [checkWord, previousCheckWord], now)).not.toThrow();
      expectRejected(() => adapter.verify(raw, headers, [checkWord], now), 'WEBHOOK_SIGNATURE_INVALID');
    });

    it("accepts a digest whose '+' the sender did not form-encode (it arrives as a space)", () => {
      for (let n = 0; n < 50; n++) {
        const msgData = push(route({ id: String(158164480000 + n) }));
        const { raw, headers } = formPush(msgData);
        const digest = new URLSearchParams(raw.toString()).get('msgDigest')!;
        if (!digest.includes('+')) continue;
        const sloppy = raw.toString().replace(encodeURIComponent(digest), digest.replace(/=/g, '%3D'));
        expect(sloppy).not.toBe(raw.toString());
        expect(() => adapter.verify(Buffer.from(sloppy), headers, [checkWord], now)).not.toThrow();
        return;
      }
      throw new Error('no digest with a + among 50 samples');
    });

    it('rejects a wrong checkWord and a tampered msgData', () => {
      const wrong = formPush(fixture('in-transit'), { secret: 'not-the-check-word' });
      expectRejected(
        () => adapter.verify(wrong.raw, wrong.headers, [checkWord], now),
        'WEBHOOK_SIGNATURE_INVALID',
      );
      const { raw, headers } = formPush(fixture('delivered'));
      const fields = new URLSearchParams(raw.toString());
      fields.set('msgData', fields.get('msgData')!.replace('"80"', '"70"'));
      expectRejected(
        () => adapter.verify(Buffer.from(fields.toString()), headers, [checkWord], now),
        'WEBHOOK_SIGNATURE_INVALID',
      );
    });

    it('rejects missing, duplicated or malformed envelope fields', () => {
      const { raw, headers } = formPush(fixture('delivered'));
      const variants: ((f: URLSearchParams) => void)[] = [
        (f) => f.delete('msgDigest'),
        (f) => f.delete('timestamp'),
        (f) => f.delete('msgData'),
        (f) => f.append('msgData', push(route({ opCode: '80' }))),
        (f) => f.set('msgDigest', ''),
        (f) => f.set('timestamp', '2026-11-23T02:00:00Z'),
      ];
      for (const change of variants) {
        const fields = new URLSearchParams(raw.toString());
        change(fields);
        expectRejected(
          () => adapter.verify(Buffer.from(fields.toString()), headers, [checkWord], now),
          'WEBHOOK_SIGNATURE_INVALID',
        );
      }
      expectRejected(
        () => adapter.verify(Buffer.from(''), headers, [checkWord], now),
        'WEBHOOK_SIGNATURE_INVALID',
      );
    });

    it('rejects an authentic push whose timestamp is more than 5 minutes off (replay or clock skew)', () => {
      for (const offsetMs of [-6 * 60_000, 6 * 60_000, -24 * 3_600_000]) {
        const { raw, headers } = formPush(fixture('delivered'), { at: new Date(now.getTime() + offsetMs) });
        expectRejected(
          () => adapter.verify(raw, headers, [checkWord], now),
          'WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE',
        );
      }
      const late = formPush(fixture('delivered'), { at: new Date(now.getTime() - 4 * 60_000) });
      expect(() => adapter.verify(late.raw, late.headers, [checkWord], now)).not.toThrow();
    });

    it('reports a stale push with a wrong digest as a signature problem, not a stale one', () => {
      const { raw, headers } = formPush(fixture('delivered'), {
        at: new Date(now.getTime() - 60 * 60_000),
        secret: 'forged',
      });
      expectRejected(() => adapter.verify(raw, headers, [checkWord], now), 'WEBHOOK_SIGNATURE_INVALID');
    });
  });

  describe('verify (JSON body, digest in headers)', () => {
    it('accepts the route push posted as JSON with msgDigest and timestamp headers', () => {
      const { raw, headers } = jsonPush(fixture('customs-hold-id'));
      expect(() => adapter.verify(raw, headers, [checkWord], now)).not.toThrow();
      expect(adapter.parse(raw, headers).updates[0]!.status).toBe('customs_hold');
    });

    it('rejects it without the headers, with a tampered body, or when stale', () => {
      const { raw, headers } = jsonPush(fixture('customs-hold-id'));
      expectRejected(
        () => adapter.verify(raw, { 'content-type': 'application/json' }, [checkWord], now),
        'WEBHOOK_SIGNATURE_INVALID',
      );
      const tampered = Buffer.from(raw.toString().replace('SF7444400031887', 'SF7444400031888'));
      expectRejected(() => adapter.verify(tampered, headers, [checkWord], now), 'WEBHOOK_SIGNATURE_INVALID');
      const stale = jsonPush(fixture('customs-hold-id'), { at: new Date(now.getTime() - 10 * 60_000) });
      expectRejected(
        () => adapter.verify(stale.raw, stale.headers, [checkWord], now),
        'WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE',
      );
    });
  });

  describe('parse', () => {
    const parseForm = (msgData: string) => {
      const { raw, headers } = formPush(msgData);
      return adapter.parse(raw, headers);
    };

    it('maps in-transit routes, converting China time to UTC, with the route ids as the dedupe id', () => {
      const parsed = parseForm(fixture('in-transit'));
      expect(parsed.providerEventId).toBe('158164480155,158164480156');
      expect(parsed.updates).toEqual([
        {
          carrierCode: 'sf-express',
          trackingNumber: 'SF1234567890123',
          status: 'in_transit',
          location: { description: '上海市' },
          occurredAt: new Date('2026-11-22T05:16:02Z'),
          rawCode: '30',
          rawDescription: '快件在【上海浦东康桥店】完成分拣，准备发往 【上海浦江中转场】',
          sourcePath: 'msgData.Body.WaybillRoute.0',
        },
        {
          carrierCode: 'sf-express',
          trackingNumber: 'SF1234567890123',
          status: 'in_transit',
          location: { description: '上海市' },
          occurredAt: new Date('2026-11-22T06:01:49Z'),
          rawCode: '31',
          rawDescription: '快件到达 【上海浦江中转场】',
          sourcePath: 'msgData.Body.WaybillRoute.1',
        },
      ]);
    });

    it('maps a customs hold asking for the recipient ID to id_documents_required', () => {
      const parsed = parseForm(fixture('customs-hold-id'));
      expect(parsed.providerEventId).toBe('158164480201');
      expect(parsed.updates[0]).toMatchObject({
        trackingNumber: 'SF7444400031887',
        status: 'customs_hold',
        customsHoldReason: 'id_documents_required',
        rawCode: '611',
      });
      expect(parsed.updates[0]!.occurredAt.toISOString()).toBe('2026-11-22T16:59:00.000Z');
    });

    it('maps a customs release', () => {
      const [update] = parseForm(fixture('customs-released')).updates;
      expect(update).toMatchObject({ status: 'customs_released', rawCode: '611' });
      expect(update!.customsHoldReason).toBeUndefined();
    });

    it('maps the delivery run, a delivery, a failed delivery and a return', () => {
      expect(parseForm(fixture('out-for-delivery')).updates.map((u) => [u.rawCode, u.status])).toEqual([
        ['44', 'out_for_delivery'],
        ['204', 'out_for_delivery'],
      ]);
      expect(parseForm(fixture('delivered')).updates[0]).toMatchObject({
        status: 'delivered',
        rawCode: '80',
      });
      expect(parseForm(fixture('delivery-failed')).updates[0]).toMatchObject({
        status: 'delivery_failed',
        rawCode: '70',
        rawDescription: '与客户约定更改派送时间',
      });
      expect(parseForm(fixture('exception-returned')).updates[0]).toMatchObject({
        status: 'exception',
        exceptionReason: 'returned_to_sender',
        rawCode: '99',
      });
    });

    it('maps an opCode it does not know to unknown, keeping code and remark (never throws, never drops)', () => {
      const { updates } = parseForm(fixture('unknown-code'));
      expect(updates).toHaveLength(1);
      expect(updates[0]).toMatchObject({
        status: 'unknown',
        rawCode: '9999',
        rawDescription: '快件信息已更新',
      });
    });

    it('reads acceptTime as China Standard Time across a day and year boundary', () => {
      const [update] = parseForm(push(route({ acceptTime: '2026-01-01 07:30:00' }))).updates;
      expect(update!.occurredAt.toISOString()).toBe('2025-12-31T23:30:00.000Z');
      const [isoLike] = parseForm(push(route({ acceptTime: '2026-01-01T08:00:00' }))).updates;
      expect(isoLike!.occurredAt.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    });

    it('accepts ids and opCodes written as JSON numbers', () => {
      const parsed = parseForm(push(route({ id: 158164480999, opCode: 80 })));
      expect(parsed.providerEventId).toBe('158164480999');
      expect(parsed.updates[0]).toMatchObject({ rawCode: '80', status: 'delivered' });
    });

    it('leaves providerEventId undefined when a route has no id, so the intake hashes the body', () => {
      const { raw, headers } = formPush(push(route(), route({ id: undefined, opCode: '44' })));
      const parsed = adapter.parse(raw, headers);
      expect(parsed.providerEventId).toBeUndefined();
      expect(dedupeKeyOf(parsed.providerEventId, raw)).toMatch(/^body-sha256:/);
      expect(dedupeKeyOf(parseForm(fixture('delivered')).providerEventId, raw)).toBe('event:158164480303');
    });

    it('parses the JSON variant with paths relative to the body', () => {
      const { raw, headers } = jsonPush(push(route({ acceptTime: 'yesterday' })));
      const err = rejection(() => adapter.parse(raw, headers));
      expect(err.issues.map((i) => i.path)).toEqual(['Body.WaybillRoute.0.acceptTime']);
      const ok = jsonPush(fixture('delivered'));
      expect(adapter.parse(ok.raw, ok.headers).updates[0]!.sourcePath).toBe('Body.WaybillRoute.0');
    });

    it('rejects msgData or a body that is not JSON, and a form without exactly one msgData', () => {
      const cases: [Buffer, Record<string, string>, string][] = [
        [formPush('{"Body":').raw, { 'content-type': FORM }, 'msgData'],
        [Buffer.from('timestamp=1'), { 'content-type': FORM }, 'msgData'],
        [Buffer.from('msgData=%7B%7D&msgData=%7B%7D'), { 'content-type': FORM }, 'msgData'],
        [Buffer.from('{"Body":'), { 'content-type': 'application/json' }, '(root)'],
        [Buffer.from([0xff, 0xfe, 0x7b, 0x7d]), { 'content-type': 'application/json' }, '(root)'],
      ];
      for (const [raw, headers, path] of cases) {
        const err = rejection(() => adapter.parse(raw, headers));
        expect(err.code).toBe('WEBHOOK_PAYLOAD_INVALID');
        expect(err.issues.map((i) => i.path)).toEqual([path]);
      }
    });

    it('rejects a wrong shape with the paths, never the values (remarks carry names and phones)', () => {
      const personal = '张三 13800138000 上海市浦东新区世纪大道100号';
      const body = push(
        route({ acceptTime: personal, mailno: 13800138000, opCode: '', remark: 7 }),
        route({ id: { nested: personal } }),
      );
      const err = rejection(() => parseForm(body));
      expect(err.code).toBe('WEBHOOK_PAYLOAD_INVALID');
      expect(err.issues.map((i) => i.path)).toEqual(
        expect.arrayContaining([
          'msgData.Body.WaybillRoute.0.acceptTime',
          'msgData.Body.WaybillRoute.0.mailno',
          'msgData.Body.WaybillRoute.0.opCode',
          'msgData.Body.WaybillRoute.0.remark',
          'msgData.Body.WaybillRoute.1.id',
        ]),
      );
      expectNothingLeaked(err, ['13800138000', '张三', '世纪大道']);

      expect(rejection(() => parseForm(JSON.stringify({ Body: { WaybillRoute: [] } }))).issues[0]!.path).toBe(
        'msgData.Body.WaybillRoute',
      );
      expect(rejection(() => parseForm('[]')).issues[0]!.path).toBe('msgData');
    });

    it('rejects an acceptTime that is not a real time', () => {
      for (const acceptTime of [
        '2026-02-30 10:00:00',
        '2026-11-22 24:00:00',
        '2026-11-22 10:00',
        '1732240562',
      ]) {
        const err = rejection(() => parseForm(push(route({ acceptTime }))));
        expect(err.issues.map((i) => i.path)).toEqual(['msgData.Body.WaybillRoute.0.acceptTime']);
      }
    });

    it('accepts fields SF adds later (loose objects)', () => {
      expect(parseForm(push(route({ brandNewField: { x: 1 } }))).updates).toHaveLength(1);
    });

    it('turns every fixture into updates the intake can publish (valid parcel reference)', () => {
      const names = fixtureNames();
      expect(names.length).toBeGreaterThanOrEqual(6);
      for (const name of names) {
        for (const update of parseForm(fixture(name)).updates) {
          const event = publishableEvent(update, {
            tenantId: 'ten_test',
            sourceEventId: '',
            receivedAt: now,
          });
          expect(event.parcel?.carrierCode).toBe('sf-express');
        }
      }
    });
  });
});

describe('SF opCode table and customs rule', () => {
  const expected: Record<string, [string, string?]> = {
    '50': ['in_transit'],
    '54': ['in_transit'],
    '501': ['in_transit'],
    '407': ['in_transit'],
    '30': ['in_transit'],
    '36': ['in_transit'],
    '31': ['in_transit'],
    '3036': ['in_transit'],
    '3137': ['in_transit'],
    '130': ['in_transit'],
    '44': ['out_for_delivery'],
    '204': ['out_for_delivery'],
    '70': ['delivery_failed'],
    '80': ['delivered'],
    '8000': ['unknown'],
    '33': ['exception', 'other'],
    '99': ['exception', 'returned_to_sender'],
    '631': ['exception', 'returned_to_sender'],
    '648': ['exception', 'returned_to_sender'],
  };

  it('maps every listed opCode as intended', () => {
    expect(Object.keys(SF_EXPRESS_OP_CODES).sort()).toEqual(Object.keys(expected).sort());
    for (const [opCode, [status, exceptionReason]] of Object.entries(expected)) {
      expect({ opCode, ...mapSfRoute(opCode, '顺丰速运') }).toEqual({
        opCode,
        status,
        ...(exceptionReason ? { exceptionReason } : {}),
      });
      expect(SF_EXPRESS_OP_CODES[opCode]!.meaning.length).toBeGreaterThan(0);
    }
  });

  it('maps unknown opCodes, including Object.prototype names, to unknown', () => {
    for (const opCode of ['9999', '', 'constructor', '__proto__', 'toString']) {
      expect(mapSfRoute(opCode, '快件信息已更新')).toEqual({ status: 'unknown' });
    }
  });

  it.each([
    ['611', '清关需提供收件人身份证，请完成实名认证', 'customs_hold', 'id_documents_required'],
    ['611', '海关要求补充收件人证件信息', 'customs_hold', 'id_documents_required'],
    ['604', '快件清关中，待缴纳进口税款', 'customs_hold', 'duties_unpaid'],
    ['605', '海关查验中', 'customs_hold', 'inspection'],
    ['606', '清关异常，请联系客服', 'customs_hold', 'other'],
    [
      '31',
      'Customs clearance: shipment held, identity document of the consignee required',
      'customs_hold',
      'id_documents_required',
    ],
    ['611', '查验完成，海关已放行', 'customs_released', undefined],
    ['611', '快件已完成清关', 'customs_released', undefined],
    ['31', '快件清关中', 'in_transit', undefined],
    ['611', '快件清关中', 'unknown', undefined],
    ['80', '海关已放行后已签收', 'delivered', undefined],
    ['99', '清关失败，快件已退回', 'exception', undefined],
    ['31', '请收件人携带身份证到网点取件', 'in_transit', undefined],
  ])('opCode %s with remark %j is %s (%s)', (opCode, remark, status, customsHoldReason) => {
    const mapped = mapSfRoute(opCode, remark);
    expect(mapped.status).toBe(status);
    expect(mapped.customsHoldReason).toBe(customsHoldReason);
  });
});
