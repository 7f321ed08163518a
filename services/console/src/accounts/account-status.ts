import { z } from 'zod';

/**
 * Why an account's status changed: codes only. A free-text reason would sooner or later hold a
 * person's name or circumstances, and the audit table is kept for good.
 */
export const ACCOUNT_STATUS_REASONS = [
  'left_company',
  'role_changed',
  'credentials_compromised',
  'on_leave',
  'returned',
  'disabled_in_error',
  'other',
] as const;

/**
 * Who made the change: the operator's staff id or a ticket reference. No `@`, no spaces, so an
 * e-mail address or a name does not end up in the audit as the actor.
 */
const actor = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'must be a staff id or ticket reference (letters, digits, . _ : -; no e-mail address)');

export const accountStatusInput = z.object({
  action: z.enum(['disable', 'enable']),
  username: z.string().trim().toLowerCase().min(1).max(128),
  reason: z.enum(ACCOUNT_STATUS_REASONS),
  actor,
});

export type AccountStatusInput = z.infer<typeof accountStatusInput>;

/** `disable <username> --reason <code> --actor <id>` (or `enable …`) from argv, unvalidated. */
export function parseAccountStatusArgs(argv: readonly string[]): Record<string, string | undefined> {
  const [action, username, ...rest] = argv;
  const out: Record<string, string | undefined> = { action, username };
  for (let i = 0; i < rest.length; i += 2) {
    const flag = rest[i];
    if (flag === '--reason' || flag === '--actor') out[flag.slice(2)] = rest[i + 1];
    else out['unknown'] = flag;
  }
  return out;
}

/** What the command did: `changed` false when the account already had that status. */
export interface AccountStatusResult {
  readonly accountId: string;
  readonly changed: boolean;
  readonly sessionsEnded: number;
  readonly auditId: string;
}
