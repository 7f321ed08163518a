import { createMessagingMigration } from '@portico/messaging';
import { InitialSchema1795392000000 } from './1795392000000-initial-schema';
import { ClearanceCases1795478400001 } from './1795478400001-clearance-cases';
import { HoldPrediction1795824000002 } from './1795824000002-hold-prediction';

/** Every migration of clearance, oldest first (TypeORM orders them by the timestamp in the class name). */
export const migrations = [
  InitialSchema1795392000000,
  createMessagingMigration(1795392000001),
  ClearanceCases1795478400001,
  HoldPrediction1795824000002,
];
