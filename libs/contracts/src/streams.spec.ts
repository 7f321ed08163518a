import {
  type DescField,
  type DescMessage,
  ScalarType,
  create,
  equals,
  fromBinary,
  fromJson,
  toBinary,
  toJson,
  type JsonObject,
  type JsonValue,
} from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { carrier, common, TrackingStreamEventSchema } from './index';
import { ALL_TOPICS } from './topics';
import { CONTRACT_FILES, contractsRegistry } from './registry';
import { EmptyStreamMessageError, eventTypeNamesOf, eventTypeOf, type StreamMessage } from './event-type';
import { parcelRef } from './parcel-id';

/** A JSON sample with every field set to a non-default value (one member per oneof). */
function sampleJson(desc: DescMessage, depth = 0): JsonObject {
  if (depth > 6) throw new Error(`recursion too deep at ${desc.typeName}`);
  const json: JsonObject = {};
  const oneofsDone = new Set<string>();
  for (const field of desc.fields) {
    if (field.oneof) {
      if (oneofsDone.has(field.oneof.name)) continue;
      oneofsDone.add(field.oneof.name);
    }
    json[field.jsonName] = sampleField(field, depth);
  }
  return json;
}

function sampleField(field: DescField, depth: number): JsonValue {
  switch (field.fieldKind) {
    case 'scalar':
      return sampleScalar(field.scalar, field.name);
    case 'enum':
      return field.enum.values[1]!.name;
    case 'message':
      return sampleMessage(field.message, depth);
    case 'list':
      if (field.listKind === 'scalar') return [sampleScalar(field.scalar, field.name)];
      if (field.listKind === 'enum') return [field.enum.values[1]!.name, field.enum.values.at(-1)!.name];
      return [sampleMessage(field.message, depth)];
    case 'map':
      throw new Error(`maps are not used in Portico events (${field.name})`);
  }
}

function sampleMessage(desc: DescMessage, depth: number): JsonValue {
  if (desc.typeName === 'google.protobuf.Timestamp') return '2026-11-22T08:15:30.123Z';
  if (desc.typeName === 'google.protobuf.Duration') return '3600s';
  return sampleJson(desc, depth + 1);
}

function sampleScalar(scalar: ScalarType, name: string): JsonValue {
  switch (scalar) {
    case ScalarType.STRING:
      return `${name}-sample`;
    case ScalarType.BOOL:
      return true;
    case ScalarType.BYTES:
      return 'AQIDBA==';
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return 0.75;
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return '1234';
    default:
      return 7;
  }
}

const streams = ALL_TOPICS.map((t) => [t.valueSchema.typeName, t.valueSchema] as const);

function eventFields(stream: DescMessage): DescField[] {
  const oneof = stream.oneofs.find((o) => o.name === 'event');
  if (!oneof) throw new Error(`${stream.typeName} has no event oneof`);
  return oneof.fields;
}

describe.each(streams)('%s', (_name, stream) => {
  it('is a pure envelope: a single `event` oneof and nothing else', () => {
    expect(stream.oneofs.map((o) => o.name)).toEqual(['event']);
    expect(stream.fields.every((f) => f.oneof?.name === 'event')).toBe(true);
    expect(stream.fields.every((f) => f.fieldKind === 'message')).toBe(true);
    expect(eventTypeNamesOf(stream)).toEqual(stream.fields.map((f) => f.message!.typeName));
  });

  it.each(eventFields(stream).map((f) => [f.message!.name, f] as const))(
    'round-trips %s through binary and JSON, with its event type',
    (_event, field) => {
      const json: JsonObject = { [field.jsonName]: sampleJson(field.message!) };
      const message = fromJson(stream, json);
      const bytes = toBinary(stream, message);
      const decoded = fromBinary(stream, bytes);
      expect(equals(stream, decoded, message)).toBe(true);
      expect(toJson(stream, decoded)).toEqual(json);
      expect(eventTypeOf(decoded as StreamMessage)).toEqual({
        eventType: field.message!.typeName,
        schema: stream.typeName,
      });
    },
  );
});

describe('identity: every event carries what a consumer needs, and nothing else is required', () => {
  // The subject id each stream's events carry besides tenant and parcel. Exceptions are events
  // that exist before or outside the subject (no case yet for a prediction, no task for a match).
  // Streams whose aggregate is not a parcel say so with `parcel: false` (keyed by their subject id).
  const subjects: Record<
    string,
    { id: string | null; except?: Record<string, string | null>; parcel?: false }
  > = {
    'portico.carrier.v1.TrackingStreamEvent': { id: null },
    'portico.clearance.v1.ClearanceCaseEvent': { id: 'case_id', except: { HoldPredicted: 'prediction_id' } },
    'portico.vault.v1.VaultDocumentEvent': { id: 'case_id' },
    'portico.notification.v1.OutreachEvent': { id: 'task_id', except: { RecipientResolved: null } },
    'portico.claims.v1.ClaimEvent': { id: 'claim_id' },
    'portico.notification.v1.WebhookSubscriptionEvent': { id: 'subscription_id', parcel: false },
  };

  it('covers every stream', () => {
    expect(Object.keys(subjects).sort()).toEqual(streams.map(([n]) => n).sort());
  });

  const cases = streams.flatMap(([name, stream]) =>
    eventFields(stream).map((f) => [`${f.message!.typeName}`, name, f.message!] as const),
  );

  it.each(cases)('%s has tenant_id, parcel, occurred_at and its subject id', (_n, streamName, event) => {
    const byName = new Map(event.fields.map((f) => [f.name, f]));
    const tenant = byName.get('tenant_id');
    expect(tenant?.fieldKind === 'scalar' && tenant.scalar === ScalarType.STRING).toBe(true);
    const rule = subjects[streamName]!;
    if (rule.parcel === false) expect(byName.has('parcel')).toBe(false);
    else expect(byName.get('parcel')?.message?.typeName).toBe('portico.common.v1.ParcelRef');
    expect(byName.get('occurred_at')?.message?.typeName).toBe('google.protobuf.Timestamp');
    const subject = rule.except && event.name in rule.except ? rule.except[event.name] : rule.id;
    if (subject !== null && subject !== undefined) {
      const f = byName.get(subject);
      expect(f?.fieldKind === 'scalar' && f.scalar === ScalarType.STRING).toBe(true);
    }
  });
});

describe('personal data stays out of the contracts', () => {
  // Field names that would suggest a personal value travelling on Kafka.
  const SUSPICIOUS =
    /(^|_)(name|names|phone|mobile|email|address|birth|birthday|dob|id_number|image|images|photo|photos|picture|token|secret|password|url|link)($|_)/;
  // Deliberate, documented exceptions (see RecipientHint in carrier/v1/tracking.proto).
  const ALLOWED = new Set(['portico.carrier.v1.RecipientHint.address_line']);
  const ALLOWED_BYTES = new Set([
    'portico.common.v1.KeyedDigest.value',
    'portico.claims.v1.ClaimFiled.evidence_manifest_sha256',
  ]);
  const fields = CONTRACT_FILES.flatMap((file) => file.messages).flatMap((m) =>
    m.fields.map((f) => [`${m.typeName}.${f.name}`, f] as const),
  );

  it('has no field whose name suggests personal data, except keyed digests', () => {
    const offending = fields
      .filter(([, f]) => SUSPICIOUS.test(f.name))
      .filter(([, f]) => f.message?.typeName !== 'portico.common.v1.KeyedDigest')
      .map(([n]) => n)
      .filter((n) => !ALLOWED.has(n));
    expect(offending).toEqual([]);
  });

  it('has no bytes field that could carry an image', () => {
    const bytes = fields
      .filter(
        ([, f]) => (f.fieldKind === 'scalar' || f.fieldKind === 'list') && f.scalar === ScalarType.BYTES,
      )
      .map(([n]) => n);
    expect(bytes.sort()).toEqual([...ALLOWED_BYTES].sort());
  });
});

describe('eventTypeOf', () => {
  it('names the set event and the stream schema', () => {
    const event = create(TrackingStreamEventSchema, {
      event: {
        case: 'trackingEventRecorded',
        value: {
          parcel: parcelRef('sf-express', 'SF1234567890123'),
          tenantId: 'ten_1',
          provider: carrier.TrackingProvider.SF_EXPRESS,
          status: carrier.TrackingStatus.CUSTOMS_HOLD,
          customsHoldReason: carrier.CustomsHoldReason.ID_DOCUMENTS_REQUIRED,
          occurredAt: timestampFromDate(new Date('2026-11-22T08:15:30.123Z')),
          shipment: { declaredValue: { currencyCode: 'CNY', amountMinor: 129_900n } },
          recipient: {
            postalCode: '518000',
            unit: '3-1802',
            nameDigest: { value: new Uint8Array(32), keyId: 'match-2026-11' },
          },
        },
      },
    });
    expect(eventTypeOf(event)).toEqual({
      eventType: 'portico.carrier.v1.TrackingEventRecorded',
      schema: 'portico.carrier.v1.TrackingStreamEvent',
    });
    const decoded = fromBinary(TrackingStreamEventSchema, toBinary(TrackingStreamEventSchema, event));
    expect(decoded.event.case).toBe('trackingEventRecorded');
    if (decoded.event.case === 'trackingEventRecorded') {
      expect(decoded.event.value.shipment?.declaredValue?.amountMinor).toBe(129_900n);
      expect(decoded.event.value.parcel?.parcelId).toBe('prc_be8d8b2949667bc3d2acd534ea20e2a2');
    }
  });

  it('refuses a stream message with no event set', () => {
    const empty = create(TrackingStreamEventSchema);
    expect(() => eventTypeOf(empty)).toThrow(EmptyStreamMessageError);
  });

  it('resolves every schema and event type name through the registry', () => {
    for (const t of ALL_TOPICS) {
      expect(contractsRegistry.getMessage(t.valueSchema.typeName)).toBeDefined();
      for (const name of eventTypeNamesOf(t.valueSchema)) {
        expect(contractsRegistry.getMessage(name)?.typeName).toBe(name);
      }
    }
    expect(contractsRegistry.getMessage('portico.common.v1.RecordHeaders')).toBeDefined();
    expect(common.DocumentType.RESIDENT_ID_CARD).toBe(1);
  });
});
