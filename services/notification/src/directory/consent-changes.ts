import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/*
 * A resident's consent going from yes to no while Portico may be messaging them (an import or a
 * roster change). The directory only notices; what it means for open work is the outreach
 * module's business, which listens through DirectoryHooks in the same transaction.
 */

export type ConsentChannel = 'sms' | 'email' | 'wecom';
export type Consent = Readonly<Record<ConsentChannel, boolean>>;

export interface ConsentWithdrawal {
  readonly residentId: string;
  /** Channels consented to before and not any more. */
  readonly channels: readonly ConsentChannel[];
}

const CHANNELS: readonly ConsentChannel[] = ['sms', 'email', 'wecom'];

/** Pure: the withdrawals between what the residents consented to before and what is written now. */
export function consentWithdrawals(
  before: ReadonlyMap<string, Consent>,
  after: readonly { readonly id: string; readonly consent: Consent }[],
): ConsentWithdrawal[] {
  const out: ConsentWithdrawal[] = [];
  for (const r of after) {
    const was = before.get(r.id);
    if (!was) continue; // a new resident withdraws nothing
    const channels = CHANNELS.filter((c) => was[c] && !r.consent[c]);
    if (channels.length > 0) out.push({ residentId: r.id, channels });
  }
  return out;
}

export type ConsentWithdrawnListener = (
  manager: EntityManager,
  tenantId: string,
  withdrawals: readonly ConsentWithdrawal[],
  at: Date,
) => Promise<void>;

/** Listeners run in the directory write's transaction (database work only). */
@Injectable()
export class DirectoryHooks {
  private readonly listeners: ConsentWithdrawnListener[] = [];

  onConsentWithdrawn(listener: ConsentWithdrawnListener): void {
    this.listeners.push(listener);
  }

  async consentWithdrawn(
    manager: EntityManager,
    tenantId: string,
    withdrawals: readonly ConsentWithdrawal[],
    at: Date,
  ): Promise<void> {
    if (withdrawals.length === 0) return;
    for (const listener of this.listeners) await listener(manager, tenantId, withdrawals, at);
  }
}
