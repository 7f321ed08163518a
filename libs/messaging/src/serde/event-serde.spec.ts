import { create } from '@bufbuild/protobuf';
import { context, propagation, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  clearance,
  ClearanceCaseEventSchema,
  HeaderNames,
  TrackingStreamEventSchema,
} from '@portico/contracts';
import { TRACKING_SCHEMA, trackingEvent, sourceEventIdOf } from '../test-support/tracking-events';
import { encodeEvent } from './event-encoder';
import { EventDecoder, type RawRecord } from './event-decoder';
import { PoisonMessageError, PoisonReason } from './poison-message.error';

const TOPIC = 'carrier.tracking.v1';
const decoder = new EventDecoder([{ name: TOPIC, valueSchema: TRACKING_SCHEMA }]);

function encoded(parcelId = 'prc_0123') {
  const record = encodeEvent({
    schema: TRACKING_SCHEMA,
    message: trackingEvent(parcelId),
    key: parcelId,
    tenantId: 'tenant-1',
  });
  return {
    ...record,
    raw: { key: Buffer.from(record.key), value: Buffer.from(record.value), headers: { ...record.headers } },
  };
}

function poisonReasonOf(record: RawRecord): string {
  try {
    decoder.decode(TOPIC, record);
  } catch (error) {
    if (error instanceof PoisonMessageError) return error.reason;
    throw error;
  }
  throw new Error('decoded without error');
}

describe('encodeEvent', () => {
  it('sets the standard headers, with occurred-at taken from the event itself', () => {
    const { headers, key, eventId, eventType } = encoded();
    expect(key).toBe('prc_0123');
    expect(eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(headers).toEqual({
      [HeaderNames.eventId]: eventId,
      [HeaderNames.eventType]: 'portico.carrier.v1.TrackingEventRecorded',
      [HeaderNames.schema]: 'portico.carrier.v1.TrackingStreamEvent',
      [HeaderNames.occurredAt]: '2026-11-22T08:15:30.123Z',
      [HeaderNames.tenantId]: 'tenant-1',
    });
    expect(eventType).toBe('portico.carrier.v1.TrackingEventRecorded');
  });

  it('generates increasing UUIDv7 ids', () => {
    const ids = Array.from({ length: 50 }, () => encoded().eventId);
    expect([...ids].sort()).toEqual(ids);
  });

  it('injects the active W3C trace context', () => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    const contextManager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(contextManager);
    try {
      const spanContext = {
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        spanId: '00f067aa0ba902b7',
        traceFlags: TraceFlags.SAMPLED,
      };
      const ctx = trace.setSpanContext(context.active(), spanContext);
      const record = context.with(ctx, () =>
        encodeEvent({
          schema: TRACKING_SCHEMA,
          message: trackingEvent('prc_1'),
          key: 'prc_1',
          tenantId: 't',
        }),
      );
      expect(record.headers.traceparent).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    } finally {
      propagation.disable();
      context.disable();
    }
  });

  it('refuses a stream message with no event, a missing key or tenant', () => {
    const empty = create(TrackingStreamEventSchema);
    expect(() => encodeEvent({ schema: TRACKING_SCHEMA, message: empty, key: 'k', tenantId: 't' })).toThrow(
      /no event set/,
    );
    expect(() =>
      encodeEvent({ schema: TRACKING_SCHEMA, message: trackingEvent('k'), key: '', tenantId: 't' }),
    ).toThrow(/key/);
    expect(() =>
      encodeEvent({ schema: TRACKING_SCHEMA, message: trackingEvent('k'), key: 'k', tenantId: '' }),
    ).toThrow(/tenant/);
  });
});

describe('EventDecoder', () => {
  it('round-trips an encoded event', () => {
    const { raw, eventId } = encoded('prc_abc');
    const decoded = decoder.decode(TOPIC, raw);
    expect(decoded).toMatchObject({
      eventId,
      eventType: 'portico.carrier.v1.TrackingEventRecorded',
      schema: 'portico.carrier.v1.TrackingStreamEvent',
      tenantId: 'tenant-1',
      key: 'prc_abc',
      occurredAt: new Date('2026-11-22T08:15:30.123Z'),
    });
    expect(decoded.event.$typeName).toBe('portico.carrier.v1.TrackingEventRecorded');
    expect(sourceEventIdOf(decoded.event)).toBe('src-1');
  });

  it.each([
    HeaderNames.eventId,
    HeaderNames.eventType,
    HeaderNames.schema,
    HeaderNames.occurredAt,
    HeaderNames.tenantId,
  ])('rejects a record without %s', (name) => {
    const { raw } = encoded();
    delete raw.headers[name];
    expect(poisonReasonOf(raw)).toBe(PoisonReason.MissingHeader);
  });

  it('rejects malformed header values', () => {
    const badId = encoded().raw;
    badId.headers[HeaderNames.eventId] = 'not-a-uuid';
    expect(poisonReasonOf(badId)).toBe(PoisonReason.InvalidHeader);
    const badTime = encoded().raw;
    badTime.headers[HeaderNames.occurredAt] = 'yesterday';
    expect(poisonReasonOf(badTime)).toBe(PoisonReason.InvalidHeader);
  });

  it('rejects a schema that is not the topic’s', () => {
    const { raw } = encoded();
    raw.headers[HeaderNames.schema] = 'portico.clearance.v1.ClearanceCaseEvent';
    expect(poisonReasonOf(raw)).toBe(PoisonReason.UnknownSchema);
  });

  it('rejects an event type the schema does not have', () => {
    const { raw } = encoded();
    raw.headers[HeaderNames.eventType] = 'portico.carrier.v1.SomethingNew';
    expect(poisonReasonOf(raw)).toBe(PoisonReason.UnknownEventType);
  });

  it('rejects a value carrying an event this build does not know (unknown oneof field)', () => {
    const { raw } = encoded();
    // field 15, length-delimited, 2 bytes: valid wire format, unknown to TrackingStreamEvent
    const value = Buffer.from([0x7a, 0x02, 0x08, 0x01]);
    expect(poisonReasonOf({ ...raw, value })).toBe(PoisonReason.UnknownEventType);
  });

  it('rejects corrupt protobuf', () => {
    const { raw } = encoded();
    expect(poisonReasonOf({ ...raw, value: Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]) })).toBe(
      PoisonReason.CorruptPayload,
    );
    expect(poisonReasonOf({ ...raw, value: Buffer.from('definitely not protobuf') })).toBe(
      PoisonReason.CorruptPayload,
    );
  });

  it('rejects a value whose event is not the one the header names', () => {
    const caseTopic = 'clearance.case.v1';
    const caseDecoder = new EventDecoder([{ name: caseTopic, valueSchema: ClearanceCaseEventSchema }]);
    const message = create(ClearanceCaseEventSchema, {
      event: { case: 'caseCleared', value: create(clearance.CaseClearedSchema) },
    });
    const record = encodeEvent({ schema: ClearanceCaseEventSchema, message, key: 'prc_1', tenantId: 't' });
    const headers = { ...record.headers, [HeaderNames.eventType]: 'portico.clearance.v1.CaseOpened' };
    expect(() =>
      caseDecoder.decode(caseTopic, { key: Buffer.from('prc_1'), value: Buffer.from(record.value), headers }),
    ).toThrow(expect.objectContaining({ reason: PoisonReason.EventTypeMismatch }));
  });

  it('rejects a missing key and a missing value', () => {
    const { raw } = encoded();
    expect(poisonReasonOf({ ...raw, key: null })).toBe(PoisonReason.MissingKey);
    expect(poisonReasonOf({ ...raw, value: null })).toBe(PoisonReason.MissingValue);
  });

  it('never echoes payload bytes in the error', () => {
    const { raw } = encoded();
    try {
      decoder.decode(TOPIC, { ...raw, value: Buffer.from('secret-id-110101199003077777') });
    } catch (error) {
      expect((error as Error).message).not.toContain('110101199003077777');
    }
  });
});
