import { createMessagingMigration } from '@portico/messaging';
import { createTimersMigration } from '@portico/timers';
import { InitialSchema1795392000000 } from './1795392000000-initial-schema';
import { DocumentsStorage1796000000001 } from './1796000000001-documents-storage';
import { AuditLog1796000000002 } from './1796000000002-audit-log';
import { VaultCore1796000000003 } from './1796000000003-vault-core';
import { ParcelProperties1796000000004 } from './1796000000004-parcel-properties';

/** Every migration of id-vault, oldest first (TypeORM orders them by the timestamp in the class name). */
export const migrations = [
  InitialSchema1795392000000,
  createMessagingMigration(1795392000001),
  createTimersMigration(1795999999999),
  DocumentsStorage1796000000001,
  AuditLog1796000000002,
  VaultCore1796000000003,
  ParcelProperties1796000000004,
];
