// `node dist/src/rewrap-keys.js` (needs DATABASE_URL and VAULT_KEKS only): rewraps every data key not under the active KEK (first of
// VAULT_KEKS) in batches, reports counts, exits 0 when done, 2 when keys remain, 1 on failure.
import { loadConfigOrExit } from '@portico/config';
import { baseSettings, SERVICE_NAME } from './config';
import { cryptoSettings } from './crypto/crypto-settings';
import { runRewrapCommand } from './crypto/rewrap';

void runRewrapCommand(loadConfigOrExit(SERVICE_NAME, { ...baseSettings, ...cryptoSettings }));
