import { createMessagingMigration } from '@portico/messaging';
import { AccountsSessions1797100000000 } from './1797100000000-accounts-sessions';
import { OidcLogin1797100000002 } from './1797100000002-oidc-login';
import { LoginFailures1797100000003 } from './1797100000003-login-failures';
import { SessionRenewalAccountAudit1797100000004 } from './1797100000004-session-renewal-account-audit';

/** Every migration of the console, oldest first. The inbox table serves the live-update consumers. */
export const migrations = [
  AccountsSessions1797100000000,
  createMessagingMigration(1797100000001),
  OidcLogin1797100000002,
  LoginFailures1797100000003,
  SessionRenewalAccountAudit1797100000004,
];
