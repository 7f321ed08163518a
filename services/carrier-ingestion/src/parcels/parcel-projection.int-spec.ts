/**
 * The parcel projection against real Postgres and Kafka: updates that arrive out of order are
 * published marked late and never move a parcel's status backwards; first-seen and last-scan times
 * are kept for lost-parcel detection. Also under concurrency: a burst of deliveries for one parcel
 * (group-committed together) leaves exactly one state that matches the newest carrier time.
 */
import { randomBytes } from 'node:crypto';
import { fromBinary } from '@bufbuild/protobuf';
import { carrier, parcelId, TrackingStreamEventSchema } from '@portico/contracts';
import { waitFor } from '@portico/testing';
import { signedNativeWebhook, type NativeTrackingEvent } from '@portico/testing/platform';
import { startIntakeApp, type IntakeApp } from '../test-support/intake-app';

const runId = randomBytes(4).toString('hex');

describe('parcel projection (real Postgres and Kafka)', () => {
  let intake: IntakeApp;
  let account: { id: string; secret: string };
  let n = 0;
  const tracking = () => `PP${runId.toUpperCase()}${++n}`;
  const update = (trackingNumber: string, status: NativeTrackingEvent['status'], occurredAt: Date) =>
    ({
      carrier: 'proj-express',
      trackingNumber,
      status,
      occurredAt: occurredAt.toISOString(),
      carrierStatusCode: status.toUpperCase(),
      description: status,
      ...(status === 'exception' ? { exceptionReason: 'lost' } : {}),
    }) as NativeTrackingEvent;

  const published = (parcel: string) =>
    intake.reader.keyed(parcel).map((r) => {
      const e = fromBinary(TrackingStreamEventSchema, r.value).event.value as carrier.TrackingEventRecorded;
      return { status: e.status, late: e.late };
    });
  const row = async (parcel: string) =>
    (await intake.pg.query('SELECT * FROM parcels WHERE parcel_id = $1', [parcel])).rows[0];

  beforeAll(async () => {
    intake = await startIntakeApp(runId);
    account = await intake.createAccount({
      tenantId: `ten_${runId}`,
      provider: 'portico-native',
      carrierCode: 'proj-express',
      displayName: 'Projection test',
    });
  }, 60_000);

  afterAll(async () => {
    await intake?.close();
  }, 30_000);

  it('publishes an older update that arrives later as late and keeps the newer status', async () => {
    const t = tracking();
    const parcel = parcelId('proj-express', t);
    const day = (d: number) => new Date(Date.UTC(2026, 10, d, 8));
    expect(
      (await intake.post(account.id, signedNativeWebhook(account.secret, [update(t, 'delivered', day(25))])))
        .status,
    ).toBe(202);
    expect(
      (await intake.post(account.id, signedNativeWebhook(account.secret, [update(t, 'in_transit', day(23))])))
        .status,
    ).toBe(202);
    await waitFor(() => published(parcel).length === 2, {
      timeoutMs: 20_000,
      description: 'both updates on Kafka',
    });
    expect(published(parcel)).toEqual([
      { status: carrier.TrackingStatus.DELIVERED, late: false },
      { status: carrier.TrackingStatus.IN_TRANSIT, late: true },
    ]);
    expect(await row(parcel)).toMatchObject({
      status: 'delivered',
      status_occurred_at: day(25),
      last_scan_at: day(25),
      updates: 2,
      late_updates: 1,
    });
  });

  it('orders the updates of one delivery too, and keeps when the parcel was first seen', async () => {
    const t = tracking();
    const parcel = parcelId('proj-express', t);
    const before = new Date();
    const h = (hour: number) => new Date(Date.UTC(2026, 10, 20, hour));
    const res = await intake.post(
      account.id,
      signedNativeWebhook(account.secret, [
        update(t, 'out_for_delivery', h(9)),
        update(t, 'info_received', h(1)),
        update(t, 'delivered', h(12)),
      ]),
    );
    expect(res.status).toBe(202);
    await waitFor(() => published(parcel).length === 3, {
      timeoutMs: 20_000,
      description: 'three updates on Kafka',
    });
    expect(published(parcel).map((p) => p.late)).toEqual([false, true, false]);
    const state = await row(parcel);
    expect(state).toMatchObject({ status: 'delivered', last_scan_at: h(12), updates: 3, late_updates: 1 });
    expect(state.first_seen_at.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1_000);
  });

  it('ends with the newest status when many deliveries for one parcel race each other', async () => {
    const t = tracking();
    const parcel = parcelId('proj-express', t);
    const minute = (m: number) => new Date(Date.UTC(2026, 10, 21, 10, m));
    // 30 concurrent deliveries in shuffled carrier-time order: group commit puts several in one batch
    const order = Array.from({ length: 30 }, (_, i) => i).sort(() => Math.random() - 0.5);
    const answers = await Promise.all(
      order.map((m) =>
        intake.post(
          account.id,
          signedNativeWebhook(account.secret, [update(t, m === 29 ? 'delivered' : 'in_transit', minute(m))]),
        ),
      ),
    );
    expect(answers.every((a) => a.status === 202)).toBe(true);
    await waitFor(() => published(parcel).length === 30, {
      timeoutMs: 20_000,
      description: 'thirty updates on Kafka',
    });
    const state = await row(parcel);
    expect(state).toMatchObject({
      status: 'delivered',
      status_occurred_at: minute(29),
      last_scan_at: minute(29),
      updates: 30,
    });
    expect(published(parcel).filter((p) => p.late)).toHaveLength(state.late_updates);
  });
});
