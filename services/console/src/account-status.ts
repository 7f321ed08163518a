// `node dist/src/account-status.js disable <username> --reason <code> --actor <staff id or ticket>`
// (or `enable …`): the operators' command for locking a person out of the console at once — the
// account is disabled, every session of it ends, every instance closes its live-update streams,
// and the change is in console_account_audit (who, why as a code, how many sessions ended). The
// OpenID provider may still know the person: the console refuses them (403 not mapped → the
// account is disabled, sign-in says login_failed / oidc_account_not_mapped).
// Exit codes: 0 done (also "already so"), 1 no such account, 2 bad input.
import { loadConfigOrExit } from '@portico/config';
import { DataSource } from 'typeorm';
import { ACCOUNT_STATUS_REASONS, accountStatusInput, parseAccountStatusArgs } from './accounts/account-status';
import { AccountStatusRepository } from './accounts/account-status.repository';
import { baseSettings, SERVICE_NAME } from './config';

const USAGE = `usage: account-status.js disable|enable <username> --reason <${ACCOUNT_STATUS_REASONS.join('|')}> --actor <staff id or ticket>\n`;

async function main(): Promise<number> {
  const config = loadConfigOrExit(SERVICE_NAME, baseSettings);
  const args = parseAccountStatusArgs(process.argv.slice(2));
  if (args['unknown']) {
    process.stderr.write(`unknown option ${args['unknown']}\n${USAGE}`);
    return 2;
  }
  const parsed = accountStatusInput.safeParse(args);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) process.stderr.write(`${issue.path.join('.')}: ${issue.message}\n`);
    process.stderr.write(USAGE);
    return 2;
  }
  const input = parsed.data;
  const dataSource = await new DataSource({ type: 'postgres', url: config.databaseUrl }).initialize();
  try {
    const result = await new AccountStatusRepository(dataSource).apply(input, new Date());
    if (!result) {
      process.stderr.write(`no account ${input.username}\n`);
      return 1;
    }
    const done = input.action === 'disable' ? 'disabled' : 'enabled';
    process.stdout.write(
      `account ${input.username} ${result.changed ? done : `was already ${done}`}` +
        (input.action === 'disable' ? `, ${result.sessionsEnded} session(s) ended` : '') +
        ` (audit ${result.auditId})\n`,
    );
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

void main().then((code) => process.exit(code));
