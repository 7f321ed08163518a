// Not a test (no jest config matches it): the CPU cost per scan of the projection write, the
// per-record path of before (INSERT … ON CONFLICT DO NOTHING, then SELECT … FOR UPDATE and UPDATE:
// up to 3 statements per scan) against one MERGE per chunk of 50, on real Postgres, 20,000 stored
// parcels (the bench's working set), one transaction per chunk as the transport runs it. Prints
// this process's CPU and the Postgres backend's CPU (/proc/<pid>/stat) per scan. Run:
//   jest -c jest.int.js --testMatch '**/projection-cost.measure.ts' services/notification/src/parcels/projection-cost.measure.ts
import { readFileSync } from 'node:fs';
import { createMigratedTestDatabase } from '@portico/testing';
import type { EntityManager } from 'typeorm';
import { migrations } from '../../migrations';
import { applyTrackingUpdate, foldTrackingRuns, type TrackingUpdate } from './parcel-projection';
import { ParcelsRepository, projectionValues } from './parcels.repository';
import { eventId, hintRecord, prng } from './test-support/tracking-updates';

const PARCELS = 20_000;
const CHUNK = 50;
const CHUNKS = 300;

function backendCpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime+stime in clock ticks (100/s)
}

it('measures', async () => {
  const db = await createMigratedTestDatabase('notification_cost', migrations, { poolSize: 1 });
  const random = prng(3);
  let t = 0;
  const scan = (): TrackingUpdate => {
    const i = Math.floor(random() * PARCELS);
    t += 1;
    return {
      eventId: eventId(),
      tenantId: 'ten_cost',
      parcelId: `prc_cost_${i}`,
      carrierCode: 'it-express',
      trackingNumber: `IT${i}`,
      status: 'in_transit',
      occurredAt: new Date(Date.UTC(2026, 11, 1) + t * 1000),
      late: false,
      hint: random() < 0.2 ? hintRecord('88 Century Avenue', new Uint8Array(32)) : null,
    };
  };
  const newRepo = new ParcelsRepository();
  const oldPath = async (m: EntityManager, us: TrackingUpdate[]) => {
    for (const u of us) {
      if (await newRepo.insertIfAbsent(m, applyTrackingUpdate(undefined, u))) continue;
      const p = applyTrackingUpdate(await newRepo.findForUpdate(m, u.tenantId, u.parcelId), u);
      // the removed ParcelsRepository.update: every column of the row again
      await m.query(
        `UPDATE parcel_projection SET carrier_code = $3, tracking_number = $4, status = $5,
                status_occurred_at = $6, last_event_id = $7, hint_occurred_at = $8, hint_country_code = $9,
                hint_region = $10, hint_city = $11, hint_district = $12, hint_postal_code = $13,
                hint_address_line = $14, hint_unit = $15, name_digest = $16, name_digest_key_id = $17,
                phone_digest = $18, phone_digest_key_id = $19, updated_at = now()
          WHERE tenant_id = $1 AND parcel_id = $2`,
        projectionValues(p),
      );
    }
  };
  const newPath = (m: EntityManager, us: TrackingUpdate[]) => newRepo.upsertMany(m, foldTrackingRuns(us));
  // warm: every parcel stored (the bench's 20,000 parcels are scanned again and again)
  for (let i = 0; i < PARCELS; i += 500) {
    const us = Array.from({ length: 500 }, (_, k) => ({ ...scan(), parcelId: `prc_cost_${i + k}` }));
    await db.dataSource.transaction((m) => newPath(m, us));
  }
  const [{ pid }] = (await db.dataSource.query('SELECT pg_backend_pid() AS pid')) as [{ pid: number }];
  const results: string[] = [];
  for (const [name, path] of [
    ['per record (main)', oldPath],
    ['MERGE per chunk', newPath],
    ['per record (main)', oldPath],
    ['MERGE per chunk', newPath],
  ] as const) {
    const chunks = Array.from({ length: CHUNKS }, () => Array.from({ length: CHUNK }, scan));
    const cpu0 = process.cpuUsage();
    const pg0 = backendCpuMs(pid);
    const w0 = performance.now();
    for (const us of chunks) await db.dataSource.transaction((m) => path(m, us));
    const wall = performance.now() - w0;
    const cpu = process.cpuUsage(cpu0);
    const pgMs = backendCpuMs(pid) - pg0;
    const n = CHUNKS * CHUNK;
    results.push(
      `${name}: ${n} scans, node ${((cpu.user + cpu.system) / 1000 / n).toFixed(3)} ms/scan, ` +
        `postgres backend ${(pgMs / n).toFixed(3)} ms/scan, wall ${(wall / n).toFixed(3)} ms/scan`,
    );
  }
  console.log(results.join('\n'));
  await db.drop();
}, 600_000);
