// `node dist/src/verify-audit.js [--export-dir D] [--public-key P]...`: verifies the audit log against
// itself and against the signed heads exported outside the database. Exit 0 when intact, 1 with the
// first problem (seq and reason, ids and hashes only) otherwise, 2 on bad arguments, 78 on bad
// configuration. The export directory defaults to AUDIT_EXPORT_DIR; the public key to the one derived
// from AUDIT_SIGNING_KEY. P is a PEM/base64 key or a file holding one; repeat it to accept heads
// signed by older keys after a rotation.
import { loadConfigOrExit } from '@portico/config';
import { dataSourceOptions, describeDatabaseUrl } from '@portico/service-kit';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { formatAuditReport, JsonLinesAuditHeadSink, parseEd25519PublicKey, verifyAuditLog } from './audit';
import { baseSettings, SERVICE_NAME } from './config';
import { auditSettings } from './audit/audit-settings';

// Until config.ts spreads auditSettings in, take them from here; afterwards this is a no-op.
const config = loadConfigOrExit(SERVICE_NAME, { ...baseSettings, ...auditSettings });

export async function main(argv: string[]): Promise<number> {
  let args: { 'export-dir'?: string; 'public-key'?: string[]; 'batch-size'?: string };
  try {
    args = parseArgs({
      args: argv,
      options: {
        'export-dir': { type: 'string' },
        'public-key': { type: 'string', multiple: true },
        'batch-size': { type: 'string' },
      },
      strict: true,
    }).values;
  } catch (e) {
    process.stderr.write(
      `${(e as Error).message}\nusage: verify-audit [--export-dir D] [--public-key P]...\n`,
    );
    return 2;
  }
  let publicKeys: KeyObject[];
  try {
    publicKeys = (args['public-key'] ?? []).map((p) =>
      parseEd25519PublicKey(existsSync(p) ? readFileSync(p, 'utf8') : p),
    );
  } catch {
    process.stderr.write(
      '--public-key must be an Ed25519 public key (PEM or base64 SPKI) or a file holding one\n',
    );
    return 2;
  }
  if (publicKeys.length === 0 && config.auditSigningKey)
    publicKeys = [createPublicKey(config.auditSigningKey)];
  const exportDir = args['export-dir'] ?? config.auditExportDir;
  const batchSize = args['batch-size'] ? Number(args['batch-size']) : undefined;
  if (batchSize !== undefined && !(Number.isSafeInteger(batchSize) && batchSize > 0)) {
    process.stderr.write('--batch-size must be a positive integer\n');
    return 2;
  }

  const dataSource = new DataSource(
    dataSourceOptions(config, [], { applicationName: `${config.serviceName}-verify-audit`, poolSize: 1 }),
  );
  try {
    await dataSource.initialize();
  } catch (e) {
    process.stderr.write(
      `cannot connect to ${describeDatabaseUrl(config.databaseUrl)}: ${(e as Error).message}\n`,
    );
    return 1;
  }
  try {
    const report = await verifyAuditLog({
      dataSource,
      heads: exportDir ? new JsonLinesAuditHeadSink(exportDir) : undefined,
      publicKeys,
      batchSize,
    });
    const out = formatAuditReport(report).join('\n') + '\n';
    if (report.ok) process.stdout.write(out);
    else process.stderr.write(out);
    return report.ok ? 0 : 1;
  } finally {
    await dataSource.destroy().catch(() => undefined);
  }
}

void main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    process.stderr.write(`verify-audit failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
