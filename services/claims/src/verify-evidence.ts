// `node dist/src/verify-evidence.js <bundle id>...`: re-hashes the stored items of each evidence
// bundle against its manifest, and the manifest against the SHA-256 recorded for it (the one on
// ClaimFiled). Exit 0 when every bundle is intact, 1 with one line per problem (ids and hashes
// only) otherwise, 2 on bad arguments. Needs DATABASE_URL.
import { loadConfigOrExit } from '@portico/config';
import { dataSourceOptions, describeDatabaseUrl } from '@portico/service-kit';
import { DataSource } from 'typeorm';
import { baseSettings, SERVICE_NAME } from './config';
import { describeProblems } from './evidence/evidence-verification';
import { verifyStoredBundle } from './evidence/stored-bundle-verification';

const config = loadConfigOrExit(SERVICE_NAME, baseSettings);

export async function main(bundleIds: string[]): Promise<number> {
  if (bundleIds.length === 0 || bundleIds.some((id) => !/^evb_[0-9a-f]{32}$/.test(id))) {
    process.stderr.write('usage: verify-evidence <bundle id (evb_…)>...\n');
    return 2;
  }
  const dataSource = new DataSource(
    dataSourceOptions(config, [], { applicationName: `${config.serviceName}-verify-evidence`, poolSize: 1 }),
  );
  try {
    await dataSource.initialize();
  } catch (e) {
    process.stderr.write(`cannot connect to ${describeDatabaseUrl(config.databaseUrl)}: ${(e as Error).message}\n`);
    return 1;
  }
  let intact = true;
  try {
    for (const id of bundleIds) {
      const report = await verifyStoredBundle(dataSource.manager, id);
      if (!report) {
        process.stderr.write(`${id}: no such bundle\n`);
        intact = false;
        continue;
      }
      const problems = describeProblems(report);
      if (report.ok) process.stdout.write(`${id}: intact (${report.items.length} items, manifest ${report.manifest.actual})\n`);
      else process.stderr.write(problems.map((p) => `${id}: ${p}\n`).join(''));
      intact &&= report.ok;
    }
  } finally {
    await dataSource.destroy().catch(() => undefined);
  }
  return intact ? 0 : 1;
}

void main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    process.stderr.write(`verify-evidence failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
