// `node dist/src/migrate.js`: applies pending migrations to this service's database, exits 1 with the reason on failure.
import { loadConfigOrExit } from '@portico/config';
import { runMigrationsCommand } from '@portico/service-kit';
import { migrations } from '../migrations';
import { SERVICE_NAME, settings } from './config';

void runMigrationsCommand({ config: loadConfigOrExit(SERVICE_NAME, settings), migrations });
