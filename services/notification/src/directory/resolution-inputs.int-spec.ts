// The directory's one read for resolving parcels (DirectoryRepository.resolutionInputs) against real
// Postgres: it answers what the three reads it replaced did — current residents who pre-registered
// each parcel, the tenant's properties at the address lines, the current residents of those
// properties — never another tenant's rows or a resident who moved out, and its JSON path gives the
// same records as the directory's plain reads.
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@portico/testing';
import { migrations } from '../../migrations';
import { DirectoryRepository } from './directory.repository';

describe('DirectoryRepository.resolutionInputs (real Postgres)', () => {
  let db: MigratedTestDatabase;
  const directory = new DirectoryRepository();

  beforeAll(async () => {
    db = await createMigratedTestDatabase('notification_resolution_inputs', migrations);
    const q = (sql: string) => db.dataSource.query(sql);
    await q(`INSERT INTO tenants (id, name) VALUES ('ten_a', 'A'), ('ten_b', 'B')`);
    await q(`INSERT INTO properties (id, tenant_id, name, country_code, city, address_line, address_line_norm,
                                     city_norm, postal_code_norm, quiet_hours_start, quiet_hours_end)
             VALUES ('prop_tower', 'ten_a', 'Tower', 'CN', 'Shanghai', '88 Century Ave', 'line-tower', 'shanghai', '200120', '22:00', '07:00'),
                    ('prop_river', 'ten_a', 'River', 'CN', 'Shanghai', '1 Riverside Rd', 'line-river', 'shanghai', '200120', NULL, NULL),
                    ('prop_b', 'ten_b', 'Other tenant', 'CN', 'Shanghai', '88 Century Ave', 'line-tower', 'shanghai', '200120', NULL, NULL)`);
    await q(`INSERT INTO units (id, tenant_id, property_id, label, label_norm)
             VALUES ('unit_t1', 'ten_a', 'prop_tower', '12-03', '1203'),
                    ('unit_r1', 'ten_a', 'prop_river', '1', '1'),
                    ('unit_b1', 'ten_b', 'prop_b', '12-03', '1203')`);
    await q(`INSERT INTO residents (id, tenant_id, unit_id, property_id, name, phone, preferred_language)
             VALUES ('res_li', 'ten_a', 'unit_t1', 'prop_tower', '李伟', '13900000001', 'zh'),
                    ('res_gone', 'ten_a', 'unit_t1', 'prop_tower', '王芳', NULL, 'en'),
                    ('res_zhao', 'ten_a', 'unit_r1', 'prop_river', '赵磊', NULL, 'zh'),
                    ('res_b', 'ten_b', 'unit_b1', 'prop_b', '李伟', '13900000009', 'zh')`);
    await q(`UPDATE residents SET removed_at = now() WHERE id = 'res_gone'`);
    await q(`INSERT INTO pre_registered_parcels (tenant_id, parcel_id, resident_id, carrier_code, tracking_number)
             VALUES ('ten_a', 'prc_1', 'res_zhao', 'sf', 'SF1'), ('ten_a', 'prc_1', 'res_li', 'sf', 'SF1'),
                    ('ten_a', 'prc_gone', 'res_gone', 'sf', 'SF2'), ('ten_b', 'prc_b', 'res_b', 'sf', 'SF3')`);
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('reads pre-registrations, properties at the lines and their current residents of one tenant', async () => {
    const m = db.dataSource.manager;
    const inputs = await directory.resolutionInputs(
      m,
      'ten_a',
      ['prc_1', 'prc_gone', 'prc_b', 'prc_none'],
      ['line-tower', 'line-tower', 'line-nowhere'],
    );
    // another tenant's pre-registration and a resident who moved out are not there
    expect([...inputs.preRegistered.keys()]).toEqual(['prc_1']);
    expect(
      inputs.preRegistered
        .get('prc_1')!
        .map((r) => r.id)
        .sort(),
    ).toEqual(['res_li', 'res_zhao']);
    // the other tenant's property at the same line is not there, nor a property at another line
    expect(inputs.properties.map((p) => p.id)).toEqual(['prop_tower']);
    expect(inputs.residents.map((r) => r.id)).toEqual(['res_li']);
    // the JSON path loses nothing: the same records as the plain reads
    expect(inputs.properties[0]).toEqual(await directory.property(m, 'prop_tower'));
    expect(inputs.properties[0]!.quietHours).toEqual({ start: '22:00', end: '07:00' });
    expect(inputs.residents[0]).toEqual(await directory.resident(m, 'res_li'));
    expect(inputs.preRegistered.get('prc_1')!.find((r) => r.id === 'res_zhao')).toEqual(
      await directory.resident(m, 'res_zhao'),
    );
  });

  it('answers nothing without asking when there is nothing to look for', async () => {
    let statements = 0;
    const m = db.dataSource.manager;
    const counting = new Proxy(m, {
      get: (target, prop, receiver) =>
        prop === 'query'
          ? (...args: Parameters<typeof m.query>) => ((statements += 1), target.query(...args))
          : Reflect.get(target, prop, receiver),
    });
    const empty = await directory.resolutionInputs(counting, 'ten_a', [], []);
    expect(empty).toEqual({ preRegistered: new Map(), properties: [], residents: [] });
    expect(statements).toBe(0);
    await directory.resolutionInputs(counting, 'ten_a', ['prc_1'], ['line-river']);
    expect(statements).toBe(1);
  });
});
