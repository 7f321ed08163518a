import { join } from 'node:path';
import { REPO_ROOT } from '@portico/testing/platform';

export { freePort, REPO_ROOT, ServiceProcess } from '@portico/testing/platform';
export const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'e2e');
