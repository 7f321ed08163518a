import type { MigrationInterface, QueryRunner } from 'typeorm';
import { addressKeys } from '../src/directory/address';

/**
 * Address keys version 2 (src/directory/address.ts): street lines are compared without house-number
 * markers (`No.`, `#`, `号`) and with street words unabbreviated, city keys without any
 * administrative suffix. Properties imported before keep keys of version 1 and would stop matching
 * the carriers' hints, which go through the new functions, so every property is re-keyed from the
 * address the property system sent (kept as it came: `address_line`, `city`, ...).
 *
 * Deliberately calls the service's own normaliser rather than a copy: the stored keys must be
 * exactly what the resolver computes. A later change of the keys adds its own re-keying migration
 * (`rekeyProperties` below), which is why this one needs no down: version 1 keys are not kept.
 */
export class AddressLineKeys1797300000001 implements MigrationInterface {
  name = 'AddressLineKeys1797300000001';

  async up(q: QueryRunner): Promise<void> {
    await rekeyProperties(q);
  }

  async down(): Promise<void> {
    // The version 1 keys cannot be recomputed here (their normaliser is gone); re-import to restore them.
  }
}

const CHUNK = 1000;

/** Recomputes `address_line_norm` and `city_norm` of every property, a chunk of rows at a time. */
export async function rekeyProperties(q: QueryRunner): Promise<void> {
  let after = '';
  for (;;) {
    const rows = (await q.query(
      `SELECT id, country_code, city, postal_code, address_line FROM properties
        WHERE id > $1 ORDER BY id LIMIT ${CHUNK}`,
      [after],
    )) as Array<{
      id: string;
      country_code: string;
      city: string;
      postal_code: string;
      address_line: string;
    }>;
    if (rows.length === 0) return;
    const keys = rows.map((r) =>
      addressKeys({
        country: r.country_code,
        city: r.city,
        postalCode: r.postal_code,
        addressLine: r.address_line,
      }),
    );
    await q.query(
      `UPDATE properties p SET address_line_norm = k.address_line_norm, city_norm = k.city_norm
         FROM unnest($1::text[], $2::text[], $3::text[]) AS k(id, address_line_norm, city_norm)
        WHERE p.id = k.id AND (p.address_line_norm, p.city_norm) IS DISTINCT FROM (k.address_line_norm, k.city_norm)`,
      [rows.map((r) => r.id), keys.map((k) => k.addressLineNorm), keys.map((k) => k.cityNorm)],
    );
    after = rows[rows.length - 1]!.id;
  }
}
