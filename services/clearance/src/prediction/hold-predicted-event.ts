import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  clearance,
  ClearanceCaseEventSchema,
  documentTypeToContract,
  ParcelRefSchema,
  type ClearanceCaseEvent,
} from '@portico/contracts';
import type { DocumentTypeName, ParcelIdentity } from '../cases/case';

export interface EmittedPrediction {
  readonly predictionId: string;
  readonly tenantId: string;
  readonly parcel: ParcelIdentity;
  readonly at: Date;
  readonly probability: number;
  readonly threshold: number;
  readonly modelVersion: string;
  readonly likelyDocuments: readonly DocumentTypeName[];
}

/** HoldPredicted on `clearance.case.v1`. Property id stays empty: notification resolves recipients. */
export function holdPredictedEvent(p: EmittedPrediction): ClearanceCaseEvent {
  return create(ClearanceCaseEventSchema, {
    event: {
      case: 'holdPredicted',
      value: create(clearance.HoldPredictedSchema, {
        predictionId: p.predictionId,
        tenantId: p.tenantId,
        parcel: create(ParcelRefSchema, {
          parcelId: p.parcel.parcelId,
          carrierCode: p.parcel.carrierCode,
          trackingNumber: p.parcel.trackingNumber,
        }),
        propertyId: '',
        occurredAt: timestampFromDate(p.at),
        probability: p.probability,
        threshold: p.threshold,
        modelVersion: p.modelVersion,
        likelyDocuments: p.likelyDocuments.map(documentTypeToContract),
      }),
    },
  });
}
