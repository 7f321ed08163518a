import { ConflictError, NotFoundError } from '@portico/service-kit';

export type CarrierAccountStatus = 'active' | 'disabled';

/** A webhook endpoint of one carrier (or aggregator) for one tenant. */
export interface CarrierAccount {
  readonly id: string;
  readonly tenantId: string;
  /** The adapter that verifies and maps this account's webhooks (see adapters/adapter-registry.ts). */
  readonly provider: string;
  readonly carrierCode: string;
  readonly displayName: string;
  readonly status: CarrierAccountStatus;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** An active secret's public facts: which version, since when. Never the secret. */
export interface SecretVersion {
  readonly version: number;
  readonly createdAt: Date;
}

/** Who changed an account, for the audit trail (the principal's kind and subject). */
export interface Actor {
  readonly kind: string;
  readonly subject: string;
}

export type AuditAction = 'created' | 'secret_rotated' | 'disabled';

/** How an account is shown to operators: everything but the secrets themselves. */
export interface CarrierAccountView {
  id: string;
  tenantId: string;
  provider: string;
  carrierCode: string;
  displayName: string;
  status: CarrierAccountStatus;
  createdAt: string;
  updatedAt: string;
  secretVersions: { version: number; createdAt: string }[];
}

/**
 * A view plus the one-time plaintext secret, answered only when Portico generated it (a secret the
 * operator brought from the provider is never echoed).
 */
export interface CarrierAccountWithSecret extends CarrierAccountView {
  secret?: string;
}

export function viewOf(account: CarrierAccount, secrets: readonly SecretVersion[]): CarrierAccountView {
  return {
    id: account.id,
    tenantId: account.tenantId,
    provider: account.provider,
    carrierCode: account.carrierCode,
    displayName: account.displayName,
    status: account.status,
    createdAt: account.createdAt.toISOString(),
    updatedAt: account.updatedAt.toISOString(),
    secretVersions: secrets.map((s) => ({ version: s.version, createdAt: s.createdAt.toISOString() })),
  };
}

/** No details: the id came from the URL and may be anything a caller typed. */
export class CarrierAccountNotFoundError extends NotFoundError {
  constructor() {
    super('carrier_account_not_found', {
      en: 'There is no carrier account with this id.',
      zh: '不存在该 ID 的承运商账户。',
    });
  }
}

export class CarrierAccountDisabledError extends ConflictError {
  constructor(accountId: string) {
    super(
      'carrier_account_disabled',
      {
        en: 'This carrier account is disabled; its secrets cannot be changed.',
        zh: '该承运商账户已停用，无法更改其密钥。',
      },
      { carrierAccountId: accountId },
    );
  }
}
