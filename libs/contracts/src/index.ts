// @portico/contracts: the platform's event contracts. Generated protobuf-es code lives in ./gen
// (never edited by hand: bash proto/generate.sh); everything else here is hand-written.

// Generated code, one namespace per proto package so names never collide across domains:
//   import { carrier, clearance } from '@portico/contracts';
//   create(carrier.TrackingStreamEventSchema, { event: { case: 'trackingEventRecorded', value } });
export * as common from './domains/common';
export * as carrier from './domains/carrier';
export * as clearance from './domains/clearance';
export * as vault from './domains/vault';
export * as notification from './domains/notification';
export * as claims from './domains/claims';

// The stream messages (topic values) and the parcel reference, also at the top level.
export { type TrackingStreamEvent, TrackingStreamEventSchema } from './gen/portico/carrier/v1/tracking_pb';
export { type ClearanceCaseEvent, ClearanceCaseEventSchema } from './gen/portico/clearance/v1/case_pb';
export { type VaultDocumentEvent, VaultDocumentEventSchema } from './gen/portico/vault/v1/document_pb';
export { type OutreachEvent, OutreachEventSchema } from './gen/portico/notification/v1/outreach_pb';
export {
  type WebhookSubscriptionEvent,
  WebhookSubscriptionEventSchema,
} from './gen/portico/notification/v1/webhook_subscription_pb';
export { type ClaimEvent, ClaimEventSchema } from './gen/portico/claims/v1/claim_pb';
export { type ParcelRef, ParcelRefSchema } from './gen/portico/common/v1/parcel_pb';

export * from './topics';
export * from './headers';
export * from './event-type';
export * from './parcel-id';
export * from './recipient-digest';
export * from './registry';
export * from './carrier-names';
export * from './document-names';
export * from './search-text';

// HTTP answers one service computes and another reads (services never import each other).
export type { ReviewFigures, PropertyReview, MonthlyReview } from './http/clearance-review';
export type { TrackingPlace, TrackingEventView, TrackingEventsPage } from './http/carrier-tracking-history';
export type {
  MessageRecipientRole,
  MessageHistoryStatus,
  MessageAttemptView,
  MessageView,
} from './http/notification-messages';
export type { TaskSearchMatch, TaskSearchFields, TaskSearchSteward } from './http/notification-task-search';
