// `npm run clearance:predictor-report -- [--thresholds 0.3,0.5,0.7] [--from <ISO time>] [--to <ISO time>]`
// (in an image: `node services/clearance/dist/src/prediction/predictor-report.js …`).
// Prints the hold predictor's precision, recall and F1 on the stored history of this service's
// database (DATABASE_URL, as for the service), evaluated in time order (predictor-evaluation.ts):
// overall at several thresholds and per tenant at its own threshold. Read-only. Exit codes: 0 report
// printed, 1 database unreachable or not migrated, 2 bad arguments, 78 bad configuration.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, processEnvironment, type Environment } from '@portico/config';
import { dataSourceOptions, describeDatabaseUrl } from '@portico/service-kit';
import { DataSource } from 'typeorm';
import { SERVICE_NAME, settings } from '../config';
import { HoldHistoryRepository } from './hold-history.repository';
import { thresholdSchema } from './prediction-settings';
import { PredictionSettingsRepository } from './prediction-settings.repository';
import { evaluatePredictor, formatEvaluation } from './predictor-evaluation';

const DEFAULT_THRESHOLDS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

const USAGE =
  'usage: clearance:predictor-report [--thresholds 0.3,0.5,0.7] [--from <ISO time>] [--to <ISO time>]';

interface Output {
  write(text: string): unknown;
}

interface ReportArguments {
  thresholds: number[];
  from?: Date;
  to?: Date;
}

class UsageError extends Error {}

function parseArguments(argv: readonly string[]): ReportArguments {
  let values: { thresholds?: string; from?: string; to?: string };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { thresholds: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const thresholds = values.thresholds
    ? values.thresholds.split(',').map((t) => {
        const parsed = thresholdSchema.safeParse(Number(t.trim()));
        if (!parsed.success || t.trim() === '') {
          throw new UsageError(`--thresholds: "${t}" is not a number above 0 and at most 1`);
        }
        return parsed.data;
      })
    : DEFAULT_THRESHOLDS;
  const date = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const d = new Date(v);
    if (Number.isNaN(d.getTime())) throw new UsageError(`--${name}: "${v}" is not an ISO 8601 time`);
    return d;
  };
  const from = date('from', values.from);
  const to = date('to', values.to);
  return { thresholds, ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

/** Why the database could not be read, in words an operator can act on (never the URL's credentials). */
function explain(error: unknown, where: string): string {
  const code = (error as { code?: string } | null)?.code;
  switch (code) {
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
      return `cannot reach PostgreSQL at ${where} (${code}); is it running, and is DATABASE_URL right?`;
    case '3D000':
      return `database ${where} does not exist`;
    case '28P01':
    case '28000':
      return `PostgreSQL at ${where} rejected the credentials in DATABASE_URL (${code})`;
    case '42P01':
      return `the hold history tables are missing in ${where}: run the clearance migrations first`;
    default:
      return `cannot read the hold history from ${where}: ${(error as Error)?.message ?? String(error)}${code ? ` (${code})` : ''}`;
  }
}

/** The command, with its environment and output injected (the integration test runs it in-process). */
export async function runPredictorReport(
  argv: readonly string[],
  env: Environment,
  out: Output,
  err: Output,
): Promise<number> {
  let args: ReportArguments;
  try {
    args = parseArguments(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err.write(`${e.message}\n${USAGE}\n`);
    return 2;
  }
  let config;
  try {
    config = loadConfig(SERVICE_NAME, settings, env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    err.write(`${e.message}\n`);
    return 78;
  }
  const where = describeDatabaseUrl(config.databaseUrl);
  const dataSource = new DataSource(
    dataSourceOptions(config, [], { applicationName: `${SERVICE_NAME}-predictor-report`, poolSize: 1 }),
  );
  try {
    await dataSource.initialize();
    const { rows, unresolved } = await new HoldHistoryRepository().historyForEvaluation(dataSource.manager);
    const own = await new PredictionSettingsRepository().thresholds(dataSource.manager);
    const evaluation = evaluatePredictor(rows, {
      ...args,
      tenantThreshold: (tenantId) => own.get(tenantId) ?? config.predictionDefaultThreshold,
    });
    out.write(formatEvaluation(evaluation, { unresolved }));
    return 0;
  } catch (e) {
    err.write(`clearance predictor report failed: ${explain(e, where)}\n`);
    return 1;
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
  }
}

if (require.main === module) {
  void runPredictorReport(process.argv.slice(2), processEnvironment(), process.stdout, process.stderr).then(
    (code) => {
      process.exitCode = code;
    },
  );
}
