import { createMessagingMigration } from '@portico/messaging';
import { InitialSchema1795392000000 } from './1795392000000-initial-schema';
import { CarrierAccounts1795564800001 } from './1795564800001-carrier-accounts';
import { WebhookIntake1795564800002 } from './1795564800002-webhook-intake';
import { Parcels1795651200001 } from './1795651200001-parcels';
import { TrackingEvents1797200000001 } from './1797200000001-tracking-events';

/** Every migration of carrier-ingestion, oldest first (TypeORM orders them by the timestamp in the class name). */
export const migrations = [
  InitialSchema1795392000000,
  createMessagingMigration(1795392000001),
  CarrierAccounts1795564800001,
  WebhookIntake1795564800002,
  Parcels1795651200001,
  TrackingEvents1797200000001,
];
