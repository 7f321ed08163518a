import { createRegistry, type Registry } from '@bufbuild/protobuf';
import { file_google_protobuf_duration, file_google_protobuf_timestamp } from '@bufbuild/protobuf/wkt';
import { file_portico_carrier_v1_tracking } from './gen/portico/carrier/v1/tracking_pb';
import { file_portico_claims_v1_claim } from './gen/portico/claims/v1/claim_pb';
import { file_portico_clearance_v1_case } from './gen/portico/clearance/v1/case_pb';
import { file_portico_common_v1_date } from './gen/portico/common/v1/date_pb';
import { file_portico_common_v1_digest } from './gen/portico/common/v1/digest_pb';
import { file_portico_common_v1_documents } from './gen/portico/common/v1/documents_pb';
import { file_portico_common_v1_headers } from './gen/portico/common/v1/headers_pb';
import { file_portico_common_v1_location } from './gen/portico/common/v1/location_pb';
import { file_portico_common_v1_money } from './gen/portico/common/v1/money_pb';
import { file_portico_common_v1_parcel } from './gen/portico/common/v1/parcel_pb';
import { file_portico_notification_v1_outreach } from './gen/portico/notification/v1/outreach_pb';
import { file_portico_notification_v1_webhook_subscription } from './gen/portico/notification/v1/webhook_subscription_pb';
import { file_portico_vault_v1_document } from './gen/portico/vault/v1/document_pb';

/** Every Portico proto file, in dependency order. */
export const CONTRACT_FILES = Object.freeze([
  file_portico_common_v1_date,
  file_portico_common_v1_digest,
  file_portico_common_v1_documents,
  file_portico_common_v1_headers,
  file_portico_common_v1_location,
  file_portico_common_v1_money,
  file_portico_common_v1_parcel,
  file_portico_carrier_v1_tracking,
  file_portico_clearance_v1_case,
  file_portico_vault_v1_document,
  file_portico_notification_v1_outreach,
  file_portico_notification_v1_webhook_subscription,
  file_portico_claims_v1_claim,
]);

/**
 * Every Portico message and enum (plus the well-known types they use), looked up by fully
 * qualified name: e.g. `contractsRegistry.getMessage(schemaHeader)`, or as the `registry` option
 * of toJson/fromJson.
 */
export const contractsRegistry: Registry = createRegistry(
  file_google_protobuf_timestamp,
  file_google_protobuf_duration,
  ...CONTRACT_FILES,
);
