import { Inject, Injectable, Logger } from '@nestjs/common';
import { guardDatabase } from '../shared/database-errors';
import { CLOCK, type Clock } from '../shared/tokens';
import { UnitOfWork } from '@portico/service-kit';
import {
  CarrierAccountDisabledError,
  CarrierAccountNotFoundError,
  viewOf,
  type Actor,
  type CarrierAccount,
  type CarrierAccountView,
  type CarrierAccountWithSecret,
} from './carrier-account';
import { CarrierAccountsRepository } from './carrier-accounts.repository';
import { CredentialsCache } from './credentials-cache';
import {
  CARRIER_ACCOUNT_ID,
  newCarrierAccountId,
  newWebhookSecret,
  SecretBox,
  secretAssociatedData,
  SecretUnreadableError,
} from './secret-box';

export interface NewCarrierAccount {
  tenantId: string;
  provider: string;
  carrierCode: string;
  displayName: string;
  /**
   * A secret the provider issued (AfterShip's webhook secret, 17TRACK's security key, SF's
   * checkWord). Absent: Portico generates one and answers it once.
   */
  secret?: string;
}

/** What the webhook intake needs to authenticate a delivery: the account and its active secrets in clear. */
export interface IntakeCredentials {
  account: CarrierAccount;
  /** Newest first; at most two (during a rotation). */
  secrets: string[];
}

/** Injected so tests can pin secrets and ids; production uses the random generators. */
export const SECRET_SOURCE = 'carrier-ingestion:secret-source';
export interface SecretSource {
  newSecret(): string;
  newAccountId(): string;
}
export const randomSecretSource: SecretSource = {
  newSecret: newWebhookSecret,
  newAccountId: newCarrierAccountId,
};

/**
 * The rules of carrier accounts: creation with a first secret, rotation keeping at most the
 * previous secret active, disabling, and an audit entry (who, what, when) for every change. A
 * plaintext secret exists only in the answer that creates it and, briefly, on the webhook path.
 */
/** How long the intake may use an account's credentials without asking the database again. */
export const CREDENTIALS_TTL_MS = 5_000;
const CREDENTIALS_CACHE_ENTRIES = 10_000;

@Injectable()
export class CarrierAccountsService {
  private readonly logger = new Logger('carrier-accounts');
  private readonly credentials: CredentialsCache<IntakeCredentials>;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly accounts: CarrierAccountsRepository,
    private readonly box: SecretBox,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SECRET_SOURCE) private readonly source: SecretSource = randomSecretSource,
  ) {
    this.credentials = new CredentialsCache(CREDENTIALS_TTL_MS, CREDENTIALS_CACHE_ENTRIES, () =>
      this.clock().getTime(),
    );
  }

  async create(input: NewCarrierAccount, actor: Actor): Promise<CarrierAccountWithSecret> {
    const now = this.clock();
    const account: CarrierAccount = {
      id: this.source.newAccountId(),
      tenantId: input.tenantId,
      provider: input.provider,
      carrierCode: input.carrierCode,
      displayName: input.displayName,
      status: 'active',
      createdAt: now,
      updatedAt: now,
    };
    const secret = input.secret ?? this.source.newSecret();
    await guardDatabase(() =>
      this.uow.transaction(async (m) => {
        await this.accounts.insertAccount(m, account);
        await this.accounts.insertSecret(m, account.id, {
          version: 1,
          sealed: this.box.seal(secret, secretAssociatedData(account.id, 1)),
          createdAt: now,
        });
        await this.accounts.appendAudit(m, {
          accountId: account.id,
          action: 'created',
          actor,
          details: {
            tenantId: account.tenantId,
            provider: account.provider,
            carrierCode: account.carrierCode,
            secretVersion: 1,
            secretIssuedBy: input.secret === undefined ? 'portico' : 'provider',
          },
          at: now,
        });
      }),
    );
    return withSecret(viewOf(account, [{ version: 1, createdAt: now }]), secret, input.secret === undefined);
  }

  /** Adds secret version n+1 and retires everything below n: the sender can switch without a gap. */
  async rotateSecret(accountId: string, actor: Actor, issued?: string): Promise<CarrierAccountWithSecret> {
    this.assertIdShape(accountId);
    const now = this.clock();
    const secret = issued ?? this.source.newSecret();
    const { account, versions } = await guardDatabase(() =>
      this.uow.transaction(async (m) => {
        const found = await this.accounts.find(m, accountId, { lock: true });
        if (!found) throw new CarrierAccountNotFoundError();
        if (found.status !== 'active') throw new CarrierAccountDisabledError(accountId);
        const previous = await this.accounts.latestSecretVersion(m, accountId);
        const version = previous + 1;
        const retired = await this.accounts.retireSecretsBelow(m, accountId, previous, now);
        await this.accounts.insertSecret(m, accountId, {
          version,
          sealed: this.box.seal(secret, secretAssociatedData(accountId, version)),
          createdAt: now,
        });
        await this.accounts.touch(m, accountId, now);
        await this.accounts.appendAudit(m, {
          accountId,
          action: 'secret_rotated',
          actor,
          details: { secretVersion: version, retiredVersions: retired },
          at: now,
        });
        return {
          account: { ...found, updatedAt: now },
          versions: await this.accounts.activeSecretVersions(m, accountId),
        };
      }),
    );
    this.credentials.delete(accountId);
    return withSecret(viewOf(account, versions), secret, issued === undefined);
  }

  /**
   * Stops accepting the account's webhooks: at once on this replica, within CREDENTIALS_TTL_MS on
   * the others. Disabling a disabled account changes nothing.
   */
  async disable(accountId: string, actor: Actor): Promise<CarrierAccountView> {
    this.assertIdShape(accountId);
    const now = this.clock();
    this.credentials.delete(accountId);
    const view = await guardDatabase(() =>
      this.uow.transaction(async (m) => {
        const found = await this.accounts.find(m, accountId, { lock: true });
        if (!found) throw new CarrierAccountNotFoundError();
        let account = found;
        if (found.status !== 'disabled') {
          account = await this.accounts.setStatus(m, accountId, 'disabled', now);
          await this.accounts.appendAudit(m, {
            accountId,
            action: 'disabled',
            actor,
            details: { previousStatus: found.status },
            at: now,
          });
        }
        return viewOf(account, await this.accounts.activeSecretVersions(m, accountId));
      }),
    );
    // again after the commit: a delivery may have cached the account while it was being disabled
    this.credentials.delete(accountId);
    return view;
  }

  async get(accountId: string): Promise<CarrierAccountView> {
    this.assertIdShape(accountId);
    return guardDatabase(() =>
      this.uow.read(async (m) => {
        const account = await this.accounts.find(m, accountId);
        if (!account) throw new CarrierAccountNotFoundError();
        return viewOf(account, await this.accounts.activeSecretVersions(m, accountId));
      }),
    );
  }

  /**
   * The active account and its opened secrets, or undefined for an unknown, disabled or malformed
   * id (the webhook endpoint answers all of them alike). A secret whose key is no longer configured
   * is skipped and reported: the sender then fails verification instead of the whole service.
   */
  async credentialsForIntake(accountId: string): Promise<IntakeCredentials | undefined> {
    if (!CARRIER_ACCOUNT_ID.test(accountId)) return undefined;
    const cached = this.credentials.get(accountId);
    if (cached) return cached;
    const found = await guardDatabase(() =>
      this.uow.read((m) => this.accounts.findActiveWithSecrets(m, accountId)),
    );
    if (!found) return undefined;
    const secrets: string[] = [];
    for (const s of found.secrets) {
      try {
        secrets.push(this.box.open(s.sealed, secretAssociatedData(accountId, s.version)));
      } catch (e) {
        if (!(e instanceof SecretUnreadableError)) throw e;
        this.logger.error(
          `secret version ${s.version} of carrier account ${accountId} cannot be opened (${e.message}); is its CARRIER_SECRETS_KEY still configured?`,
        );
      }
    }
    const credentials = { account: found.account, secrets };
    this.credentials.set(accountId, credentials);
    return credentials;
  }

  private assertIdShape(accountId: string): void {
    // Not a possible id: answer as for an unknown one, without a query.
    if (!CARRIER_ACCOUNT_ID.test(accountId)) throw new CarrierAccountNotFoundError();
  }
}

/** A generated secret is answered once; one the caller brought from its provider is not echoed. */
function withSecret(view: CarrierAccountView, secret: string, generated: boolean): CarrierAccountWithSecret {
  return generated ? { ...view, secret } : view;
}
