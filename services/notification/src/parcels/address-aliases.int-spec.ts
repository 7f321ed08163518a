// Tolerant address matching through the real resolution path (NotificationHarness: real Kafka and
// Postgres, the directory imported through the API, holds and documents requests published the way
// carrier-ingestion and clearance publish them): a carrier writing the province, city and district
// in Chinese reaches a property whose directory entry spells them in English; a street line that
// two properties share goes to the front desk, never to a guess; a near miss (上饶 for 上海) too.
import { notification, NOTIFICATION_OUTREACH_TOPIC } from '@portico/contracts';
import { waitFor } from '@portico/testing';
import type { QueryRunner } from 'typeorm';
import { rekeyProperties } from '../../migrations/1797300000001-address-line-keys';
import { normaliseAddressLine } from '../directory/address';
import { NotificationHarness, uniqueResident } from '../it-harness';

describe('notification: parcels matched to properties across spellings (real Kafka + Postgres)', () => {
  let h: NotificationHarness;
  const shenzhen = uniqueResident();
  const pudong = uniqueResident();
  let run: string;
  let P: Record<'shenzhen' | 'pudong' | 'xuhui', string>;
  let KEYUAN: string;
  let CENTURY: string;

  const documentsTask = async (suffix: string, hint: Parameters<NotificationHarness['publishHold']>[1]) => {
    const ref = h.parcel(suffix);
    await h.publishHold(ref, hint);
    await h.publishDocumentsRequested(ref, `case_${run}_${suffix}`, {
      deadline: new Date(Date.now() + 72 * 3600_000),
    });
    return ref;
  };
  const frontDeskRow = (parcelId: string) =>
    waitFor(
      async () =>
        (
          await h.pg.query(`SELECT property_id, reason, state FROM front_desk_queue WHERE parcel_id = $1`, [
            parcelId,
          ])
        ).rows[0] as Record<string, unknown> | undefined,
      { timeoutMs: 30_000, description: 'the front-desk queue row' },
    );

  beforeAll(async () => {
    h = await NotificationHarness.start();
    run = h.run;
    P = { shenzhen: `prop_sz_${run}`, pudong: `prop_pd_${run}`, xuhui: `prop_xh_${run}` };
    KEYUAN = `科苑路15号 ${run}栋`;
    CENTURY = `世纪大道88号 ${run}座`;
    const property = (
      id: string,
      name: string,
      [region, city, district]: [string, string, string],
      addressLine: string,
      resident?: { id: string; name: string; phone: string },
    ) => ({
      id,
      name: `${name} ${run}`,
      address: { country: 'CN', region, city, district, postalCode: '', addressLine },
      units: resident
        ? [{ id: `unit_${resident.id}`, label: '12-03', residents: [{ ...resident, language: 'zh' }] }]
        : [],
    });
    await h.importDirectory({
      tenant: { id: h.tenantId, name: `Address Residences ${run}` },
      properties: [
        // entered in English by the property system; the street line as written on the building
        property(P.shenzhen, 'Keyuan Tower', ['Guangdong', 'Shenzhen', 'Nanshan District'], KEYUAN, {
          id: `res_sz_${run}`,
          ...shenzhen,
        }),
        property(P.pudong, 'Century Tower', ['Shanghai', 'Shanghai', 'Pudong'], CENTURY, {
          id: `res_pd_${run}`,
          ...pudong,
        }),
        // another compound of the tenant on a street line of the same name, entered in Chinese
        property(P.xuhui, 'Xuhui Court', ['上海市', '上海市', '徐汇区'], CENTURY),
      ],
      staff: [
        {
          id: `stf_${run}`,
          name: `Steward ${run}`,
          role: 'steward',
          language: 'zh',
          channel: { kind: 'email', address: `stf_${run}@example.test` },
          propertyIds: Object.values(P),
          onDuty: true,
        },
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
  }, 60_000);

  it('re-keys properties stored with the previous street-line keys (migration 1797300000001)', async () => {
    // what version 1 stored for the street line: letters and digits, the 号 kept
    await h.pg.query(`UPDATE properties SET address_line_norm = $2 WHERE id = $1`, [
      P.shenzhen,
      `科苑路15号${run}栋`,
    ]);
    const runner = {
      query: (sql: string, params?: unknown[]) => h.pg.query(sql, params).then((r) => r.rows),
    };
    await rekeyProperties(runner as unknown as QueryRunner);
    const { rows } = await h.pg.query(
      `SELECT id, address_line_norm FROM properties WHERE tenant_id = $1 ORDER BY id`,
      [h.tenantId],
    );
    expect(rows).toEqual(
      [P.pudong, P.shenzhen, P.xuhui].sort().map((id) => ({
        id,
        address_line_norm: normaliseAddressLine(id === P.shenzhen ? KEYUAN : CENTURY),
      })),
    );
    expect(normaliseAddressLine(KEYUAN)).not.toBe(`科苑路15号${run}栋`);
  });

  it('resolves a carrier address in Chinese to the property the directory has in English', async () => {
    const ref = await documentsTask('SZ', {
      ...shenzhen,
      countryCode: 'CN',
      region: '广东省',
      city: '深圳市',
      district: '南山区',
      postalCode: '518057',
      addressLine: `科苑路１５號 ${run}栋`,
      unit: '1203室',
    });
    const [task] = await h.tasksOf(ref.parcelId);
    expect(task).toMatchObject({
      kind: 'documents_requested',
      propertyId: P.shenzhen,
      residentId: `res_sz_${run}`,
    });
    const events = await h.outreachEvents(new Set([ref.parcelId]), (found) =>
      found.some((e) => e.event.case === 'recipientResolved'),
    );
    const resolved = events.find((e) => e.event.case === 'recipientResolved')!.event
      .value as notification.RecipientResolved;
    expect(resolved).toMatchObject({ propertyId: P.shenzhen, residentId: `res_sz_${run}` });
    expect(resolved.method).toBe(notification.ResolutionMethod.ADDRESS_MATCH);
    expect(h.logs()).toMatch(new RegExp(`"parcelId":"${ref.parcelId}"[^\\n]*"addressRule":"alias"`));
  });

  it('sends a street line two properties share to the front desk, and uses the district when given', async () => {
    const shared = { ...pudong, city: '上海市', postalCode: '', addressLine: CENTURY, unit: '12-03' };
    const ambiguous = await documentsTask('AMB', shared);
    await expect(frontDeskRow(ambiguous.parcelId)).resolves.toEqual({
      property_id: null,
      reason: 'ambiguous_property',
      state: 'open',
    });
    expect(h.logs()).toMatch(
      new RegExp(
        `"parcelId":"${ambiguous.parcelId}"[^\\n]*"reason":"ambiguous_property"[^\\n]*"addressRule":null`,
      ),
    );

    // 浦东新区 rules out the 徐汇区 compound (same script, different); against Pudong it says nothing
    const withDistrict = await documentsTask('PD', { ...shared, region: '上海', district: '浦东新区' });
    const [task] = await h.tasksOf(withDistrict.parcelId);
    expect(task).toMatchObject({
      kind: 'documents_requested',
      propertyId: P.pudong,
      residentId: `res_pd_${run}`,
    });
  });

  it('does not take 上饶 for 上海 however close the rest is', async () => {
    const nearMiss = await documentsTask('SR', {
      ...pudong,
      region: '江西省',
      city: '上饶市',
      district: '浦东新区',
      postalCode: '',
      addressLine: CENTURY,
      unit: '12-03',
    });
    await expect(frontDeskRow(nearMiss.parcelId)).resolves.toEqual({
      property_id: null,
      reason: 'no_property',
      state: 'open',
    });
  });

  it('labels the resolutions by address rule on /metrics and never logs or publishes an address', async () => {
    const text = await (await fetch(`${h.service.url}/metrics`)).text();
    const value = (method: string, rule: string) =>
      Number(
        new RegExp(
          `^portico_parcel_resolution_total\\{(?=[^}]*method="${method}")(?=[^}]*address_rule="${rule}")[^}]*\\} (\\d+)$`,
          'm',
        ).exec(text)?.[1] ?? NaN,
      );
    expect(value('address_match', 'alias')).toBe(2);
    // other runs' requests on the shared topic (tenants without a directory here) count as unmatched too
    expect(value('unmatched', 'none')).toBeGreaterThanOrEqual(2);
    expect(text).not.toMatch(/address_rule="(?!exact|alias|none)/);

    const keys = new Set(['SZ', 'AMB', 'PD', 'SR'].map((s) => h.parcel(s).parcelId));
    const records = await h.readRecords(
      [NOTIFICATION_OUTREACH_TOPIC.name],
      (r) => keys.has(r.key),
      (found) => found.length >= 4, // resolved ×2, created ×2
    );
    const emitted = [
      ...records.map((r) => `${r.key}\n${r.value.toString('utf8')}\n${JSON.stringify(r.headers)}`),
      h.logs(),
    ].join('\n');
    expect(h.logs()).toContain('parcel not matched to a resident');
    const values = [
      run + '栋',
      run + '座',
      '科苑路',
      '世纪大道',
      '深圳',
      '南山',
      '上饶',
      '浦东',
      '徐汇',
      'Shenzhen',
      'Nanshan',
      '518057',
      shenzhen.name,
      shenzhen.phone,
      pudong.name,
      pudong.phone,
    ];
    for (const v of values) expect([v, emitted.includes(v)]).toEqual([v, false]);
  });
});
