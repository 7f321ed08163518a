import { createMessagingMigration } from '@portico/messaging';
import { createTimersMigration } from '@portico/timers';
import { InitialSchema1795392000000 } from './1795392000000-initial-schema';
import { ClearanceCases1795478400001 } from './1795478400001-clearance-cases';
import { CaseProgress1795824000001 } from './1795824000001-case-progress';
import { HoldPrediction1795824000002 } from './1795824000002-hold-prediction';
import { PolicyAdminAndStatusLinks1795824000003 } from './1795824000003-policy-admin-and-status-links';
import { PolicyTimerRules1795824000004 } from './1795824000004-policy-timer-rules';
import { HoldCountsShardCheck1797500000001 } from './1797500000001-hold-counts-shard-check';

/** Every migration of clearance, oldest first (TypeORM orders them by the timestamp in the class name). */
export const migrations = [
  InitialSchema1795392000000,
  createMessagingMigration(1795392000001),
  ClearanceCases1795478400001,
  createTimersMigration(1795824000000),
  CaseProgress1795824000001,
  HoldPrediction1795824000002,
  PolicyAdminAndStatusLinks1795824000003,
  PolicyTimerRules1795824000004,
  HoldCountsShardCheck1797500000001,
];
