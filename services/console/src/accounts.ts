// `node dist/src/accounts.js '<json>'` with the password on standard input: creates or replaces a
// local account (the demo seed and the admin command). JSON: {"username", "subject", "roles",
// "tenantId", "propertyIds"}. The password never appears in argv (visible in `ps`) or in the log.
// With "oidcIssuer" and "oidcSubject" in the JSON the account signs in through that OpenID provider
// instead (no password, standard input is not read): that row is the mapping from the provider's
// `sub` to the person's platform subject, roles, tenant and properties.
import { randomUUID } from 'node:crypto';
import { loadConfigOrExit } from '@portico/config';
import { DataSource } from 'typeorm';
import { accountInput, oidcAccountInput } from './accounts/account';
import { AccountsRepository } from './accounts/accounts.repository';
import { PasswordHasher } from './accounts/password-hasher';
import { baseSettings, SERVICE_NAME } from './config';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function main(): Promise<number> {
  const config = loadConfigOrExit(SERVICE_NAME, baseSettings);
  let raw: unknown;
  try {
    raw = JSON.parse(process.argv[2] ?? '');
  } catch {
    process.stderr.write('usage: accounts.js \'{"username":…,"subject":…,"roles":[…],"tenantId":…,"propertyIds":[…]}\' < password\n');
    return 2;
  }
  const isOidc = typeof raw === 'object' && raw !== null && 'oidcSubject' in raw;
  const parsed = isOidc
    ? oidcAccountInput.safeParse(raw)
    : accountInput.safeParse({ ...(raw as object), password: await readStdin() });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) process.stderr.write(`${issue.path.join('.')}: ${issue.message}\n`);
    return 2;
  }
  const a = parsed.data;
  const common = {
    id: `acc_${randomUUID()}`,
    username: a.username,
    subject: a.subject,
    roles: a.roles as never,
    tenantId: a.tenantId,
    propertyIds: a.propertyIds,
  };
  const dataSource = await new DataSource({ type: 'postgres', url: config.databaseUrl }).initialize();
  try {
    const accounts = new AccountsRepository(dataSource);
    await accounts.upsert(
      common,
      'oidcSubject' in a
        ? { oidcIssuer: a.oidcIssuer, oidcSubject: a.oidcSubject }
        : { passwordHash: await new PasswordHasher().hash(a.password) },
    );
  } finally {
    await dataSource.destroy();
  }
  process.stdout.write(`account ${a.username} saved${isOidc ? ' (OIDC)' : ''}\n`);
  return 0;
}

void main().then((code) => process.exit(code));
