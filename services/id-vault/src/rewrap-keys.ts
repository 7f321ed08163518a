// `node dist/src/rewrap-keys.js`: rewraps every data key not under the active KEK (first of
// VAULT_KEKS) in batches, reports counts, exits 0 when done, 2 when keys remain, 1 on failure.
import { loadConfigOrExit } from '@portico/config';
import { SERVICE_NAME, settings } from './config';
import { cryptoSettings } from './crypto/crypto-settings';
import { runRewrapCommand } from './crypto/rewrap';

void runRewrapCommand(loadConfigOrExit(SERVICE_NAME, { ...settings, ...cryptoSettings }));
