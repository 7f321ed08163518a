import { createMessagingMigration } from '@portico/messaging';
import { InitialSchema1795392000000 } from './1795392000000-initial-schema';

/** Every migration of clearance, oldest first (TypeORM orders them by the timestamp in the class name). */
export const migrations = [InitialSchema1795392000000, createMessagingMigration(1795392000001)];
