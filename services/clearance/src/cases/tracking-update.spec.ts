import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { carrier, common, parcelRef } from '@portico/contracts';
import { signalOf, trackingUpdateOf } from './tracking-update';

const ref = parcelRef('sf-express', 'SF1234567890');
const AT = new Date('2026-11-24T06:00:00Z');
const META = {
  eventId: '0193a1b2-0000-7000-8000-000000000001',
  tenantId: 'ten_header',
  parcelId: ref.parcelId,
  occurredAt: new Date('2026-11-24T06:00:01Z'),
};

function recorded(
  init: MessageInitShape<typeof carrier.TrackingEventRecordedSchema> = {},
): carrier.TrackingEventRecorded {
  return create(carrier.TrackingEventRecordedSchema, {
    parcel: ref,
    tenantId: 'ten_a',
    status: carrier.TrackingStatus.CUSTOMS_HOLD,
    customsHoldReason: carrier.CustomsHoldReason.ID_DOCUMENTS_REQUIRED,
    occurredAt: timestampFromDate(AT),
    ...init,
  });
}

describe('what a tracking event means for clearance', () => {
  it.each([
    [carrier.CustomsHoldReason.ID_DOCUMENTS_REQUIRED, 'id_documents_required'],
    [carrier.CustomsHoldReason.DUTIES_UNPAID, 'duties_unpaid'],
    [carrier.CustomsHoldReason.INSPECTION, 'inspection'],
    [carrier.CustomsHoldReason.OTHER, 'other'],
    [carrier.CustomsHoldReason.UNSPECIFIED, 'other'],
    [99 as carrier.CustomsHoldReason, 'other'], // a reason newer than this build
  ])('a customs hold for reason %s is a %s hold', (reason, expected) => {
    expect(signalOf(recorded({ customsHoldReason: reason }))).toEqual({ kind: 'hold', reason: expected });
  });

  it("carries the carrier's deadline with a hold", () => {
    const deadline = new Date('2026-11-27T06:00:00Z');
    expect(signalOf(recorded({ customsDeadline: timestampFromDate(deadline) }))).toEqual({
      kind: 'hold',
      reason: 'id_documents_required',
      carrierDeadline: deadline,
    });
  });

  it.each([
    [carrier.TrackingStatus.CUSTOMS_RELEASED, 'customs_released'],
    [carrier.TrackingStatus.OUT_FOR_DELIVERY, 'out_for_delivery'],
    [carrier.TrackingStatus.DELIVERED, 'delivered'],
  ])('status %s releases with trigger %s', (status, trigger) => {
    expect(signalOf(recorded({ status }))).toEqual({ kind: 'released', trigger });
  });

  it('a return to sender closes, other exceptions and statuses do nothing', () => {
    const exception = (exceptionReason: carrier.ExceptionReason) =>
      signalOf(recorded({ status: carrier.TrackingStatus.EXCEPTION, exceptionReason }));
    expect(exception(carrier.ExceptionReason.RETURNED_TO_SENDER)).toEqual({ kind: 'returned_to_sender' });
    expect(exception(carrier.ExceptionReason.LOST)).toEqual({ kind: 'irrelevant' });
    for (const status of [
      carrier.TrackingStatus.IN_TRANSIT,
      carrier.TrackingStatus.AVAILABLE_FOR_PICKUP,
      carrier.TrackingStatus.UNKNOWN,
    ]) {
      expect(signalOf(recorded({ status }))).toEqual({ kind: 'irrelevant' });
    }
  });
});

describe('trackingUpdateOf', () => {
  it('keeps ids, times, shipment facts and the name digest, nothing else', () => {
    const digest = create(common.KeyedDigestSchema, { value: new Uint8Array([1, 2, 3]), keyId: 'k1' });
    const update = trackingUpdateOf(
      recorded({
        late: true,
        shipment: create(carrier.ShipmentDetailsSchema, {
          originCountryCode: 'jp',
          destinationCountryCode: 'cn',
          declaredValue: create(common.MoneySchema, { currencyCode: 'cny', amountMinor: 128_000n }),
          perishable: true,
        }),
        recipient: create(carrier.RecipientHintSchema, { countryCode: 'CN', nameDigest: digest }),
      }),
      META,
    );
    expect(update).toEqual({
      eventId: META.eventId,
      tenantId: 'ten_a',
      parcel: { parcelId: ref.parcelId, carrierCode: 'sf-express', trackingNumber: 'SF1234567890' },
      occurredAt: AT,
      late: true,
      signal: { kind: 'hold', reason: 'id_documents_required' },
      shipment: {
        carrierCode: 'sf-express',
        originCountryCode: 'JP',
        destinationCountryCode: 'CN',
        declaredValue: { currencyCode: 'CNY', amountMinor: 128_000n },
        perishable: true,
      },
      recipientNameDigest: { value: new Uint8Array([1, 2, 3]), keyId: 'k1' },
    });
  });

  it("falls back to the address's country, the header's tenant and time when the event lacks them", () => {
    const update = trackingUpdateOf(
      recorded({
        tenantId: '',
        occurredAt: undefined,
        recipient: create(carrier.RecipientHintSchema, { countryCode: 'cn' }),
      }),
      META,
    );
    expect(update).toMatchObject({
      tenantId: 'ten_header',
      occurredAt: META.occurredAt,
      shipment: { destinationCountryCode: 'CN', perishable: false },
      recipientNameDigest: null,
    });
    expect(update?.shipment.declaredValue).toBeUndefined();
  });

  it('gives nothing for an event without a parcel reference', () => {
    expect(trackingUpdateOf(recorded({ parcel: undefined }), META)).toBeUndefined();
  });
});
