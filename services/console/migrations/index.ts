import { createMessagingMigration } from '@portico/messaging';
import { AccountsSessions1797100000000 } from './1797100000000-accounts-sessions';

/** Every migration of the console, oldest first. The inbox table serves the live-update consumers. */
export const migrations = [AccountsSessions1797100000000, createMessagingMigration(1797100000001)];
