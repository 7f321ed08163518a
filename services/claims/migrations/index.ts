import { apiKeysMigration } from '@portico/auth';
import { createMessagingMigration } from '@portico/messaging';
import { createTimersMigration } from '@portico/timers';
import { InitialSchema1795392000000 } from './1795392000000-initial-schema';
import { Claims1796400000003 } from './1796400000003-claims';
import { EvidenceUploads1796410000000 } from './1796410000000-evidence-uploads';
import { ScorecardsAndInsurance1796486400000 } from './1796486400000-scorecards-and-insurance';
import { ResidentEvidenceLinks1796500000000 } from './1796500000000-resident-evidence-links';

/** Every migration of claims, oldest first (TypeORM orders them by the timestamp in the class name). */
export const migrations = [
  InitialSchema1795392000000,
  createMessagingMigration(1795392000001),
  createTimersMigration(1796400000001),
  // Property systems call the self-service API with API keys.
  apiKeysMigration(1796400000002),
  Claims1796400000003,
  EvidenceUploads1796410000000,
  ScorecardsAndInsurance1796486400000,
  ResidentEvidenceLinks1796500000000,
];
