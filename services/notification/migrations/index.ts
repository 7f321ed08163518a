import { apiKeysMigration } from '@portico/auth';
import { createMessagingMigration } from '@portico/messaging';
import { createTimersMigration } from '@portico/timers';
import { InitialSchema1795392000000 } from './1795392000000-initial-schema';
import { Directory1795478400001 } from './1795478400001-directory';
import { ParcelsAndOutreach1795478400002 } from './1795478400002-parcels-and-outreach';
import { ContactChannels1796000000001 } from './1796000000001-contact-channels';
import { TaskActions1796000000002 } from './1796000000002-task-actions';
import { DirectoryRoster1796300000001 } from './1796300000001-directory-roster';
import { Messages1796200000001 } from './1796200000001-messages';
import { Webhooks1796100000001 } from './1796100000001-webhooks';
import { MessageTraceContext1796500000001 } from './1796500000001-message-trace-context';
import { FollowUpMessages1796600000001 } from './1796600000001-follow-up-messages';
import { WebhookClaimOrder1796700000001 } from './1796700000001-webhook-claim-order';
import { MessageReceipts1796800000001 } from './1796800000001-message-receipts';
import { ConsentWithdrawnAction1796800000002 } from './1796800000002-consent-withdrawn-action';
import { StewardNoteSweep1796800000003 } from './1796800000003-steward-note-sweep';
import { RedriveNote1797200000001 } from './1797200000001-redrive-note';
import { AddressLineKeys1797300000001 } from './1797300000001-address-line-keys';
import { FrontDeskDismiss1797400000001 } from './1797400000001-front-desk-dismiss';
import { WebhookSubscriptionNotify1797500000001 } from './1797500000001-webhook-subscription-notify';

/** Every migration of notification, oldest first (TypeORM orders them by the timestamp in the class name). */
export const migrations = [
  InitialSchema1795392000000,
  createMessagingMigration(1795392000001),
  // Stamped after the migrations already applied in existing databases, so it sorts as new.
  apiKeysMigration(1795478400000),
  Directory1795478400001,
  ParcelsAndOutreach1795478400002,
  createTimersMigration(1796000000000),
  ContactChannels1796000000001,
  TaskActions1796000000002,
  DirectoryRoster1796300000001,
  Messages1796200000001,
  Webhooks1796100000001,
  MessageTraceContext1796500000001,
  FollowUpMessages1796600000001,
  WebhookClaimOrder1796700000001,
  MessageReceipts1796800000001,
  ConsentWithdrawnAction1796800000002,
  StewardNoteSweep1796800000003,
  RedriveNote1797200000001,
  AddressLineKeys1797300000001,
  FrontDeskDismiss1797400000001,
  WebhookSubscriptionNotify1797500000001,
];
