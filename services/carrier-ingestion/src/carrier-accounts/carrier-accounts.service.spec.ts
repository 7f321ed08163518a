import { Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { UnitOfWork } from '@portico/service-kit';
import type { Actor, AuditAction, CarrierAccount, CarrierAccountStatus } from './carrier-account';
import { CarrierAccountDisabledError, CarrierAccountNotFoundError } from './carrier-account';
import type { CarrierAccountsRepository, StoredSecret } from './carrier-accounts.repository';
import { CarrierAccountsService, CREDENTIALS_TTL_MS, type SecretSource } from './carrier-accounts.service';
import { SecretBox, type SealedSecret } from './secret-box';

/** The repository's contract, in memory. */
class FakeRepository {
  accounts = new Map<string, CarrierAccount>();
  secrets: { accountId: string; version: number; sealed: SealedSecret; createdAt: Date; retiredAt?: Date }[] =
    [];
  audit: {
    accountId: string;
    action: AuditAction;
    actor: Actor;
    details: Record<string, unknown>;
    at: Date;
  }[] = [];

  async insertAccount(_m: EntityManager, a: CarrierAccount) {
    this.accounts.set(a.id, a);
  }
  async find(_m: EntityManager, id: string) {
    return this.accounts.get(id);
  }
  async findActiveWithSecrets(_m: EntityManager, id: string) {
    const account = this.accounts.get(id);
    if (!account || account.status !== 'active') return undefined;
    const secrets: StoredSecret[] = this.secrets
      .filter((s) => s.accountId === id && !s.retiredAt)
      .sort((a, b) => b.version - a.version)
      .map((s) => ({ version: s.version, createdAt: s.createdAt, sealed: s.sealed }));
    return { account, secrets };
  }
  async setStatus(_m: EntityManager, id: string, status: CarrierAccountStatus, at: Date) {
    const next = { ...this.accounts.get(id)!, status, updatedAt: at };
    this.accounts.set(id, next);
    return next;
  }
  async touch(_m: EntityManager, id: string, at: Date) {
    this.accounts.set(id, { ...this.accounts.get(id)!, updatedAt: at });
  }
  async insertSecret(
    _m: EntityManager,
    accountId: string,
    s: { version: number; sealed: SealedSecret; createdAt: Date },
  ) {
    this.secrets.push({ accountId, ...s });
  }
  async activeSecretVersions(_m: EntityManager, accountId: string) {
    return this.secrets
      .filter((s) => s.accountId === accountId && !s.retiredAt)
      .sort((a, b) => b.version - a.version)
      .map((s) => ({ version: s.version, createdAt: s.createdAt }));
  }
  async latestSecretVersion(_m: EntityManager, accountId: string) {
    return Math.max(0, ...this.secrets.filter((s) => s.accountId === accountId).map((s) => s.version));
  }
  async retireSecretsBelow(_m: EntityManager, accountId: string, version: number, at: Date) {
    const retired = this.secrets.filter(
      (s) => s.accountId === accountId && s.version < version && !s.retiredAt,
    );
    for (const s of retired) s.retiredAt = at;
    return retired.map((s) => s.version);
  }
  async appendAudit(_m: EntityManager, entry: FakeRepository['audit'][number]) {
    this.audit.push(entry);
  }
}

const operator: Actor = { kind: 'person', subject: 'operator-ada' };
const key = { id: 'k1', key: Buffer.alloc(32, 5) };

function setup(options: { keys?: { id: string; key: Buffer }[] } = {}) {
  const repo = new FakeRepository();
  let t = new Date('2026-11-24T08:00:00Z');
  let n = 0;
  const source: SecretSource = {
    newSecret: () => `whsec_${Buffer.alloc(32, ++n).toString('base64')}`,
    newAccountId: () => `ca_${String(++n).padStart(32, '0')}`,
  };
  const uow = {
    transaction: (work: (m: EntityManager) => Promise<unknown>) => work({} as EntityManager),
    read: (work: (m: EntityManager) => Promise<unknown>) => work({} as EntityManager),
  };
  const service = new CarrierAccountsService(
    uow as unknown as UnitOfWork,
    repo as unknown as CarrierAccountsRepository,
    new SecretBox(options.keys ?? [key]),
    () => t,
    source,
  );
  const advance = (ms: number) => (t = new Date(t.getTime() + ms));
  return { service, repo, advance };
}

const input = {
  tenantId: 'ten_harbour',
  provider: 'portico-native',
  carrierCode: 'demo-express',
  displayName: 'Demo',
};

describe('CarrierAccountsService', () => {
  it('creates an active account with a first secret shown once, sealed at rest, audited', async () => {
    const { service, repo } = setup();
    const created = await service.create(input, operator);

    expect(created).toMatchObject({
      ...input,
      status: 'active',
      createdAt: '2026-11-24T08:00:00.000Z',
      secretVersions: [{ version: 1, createdAt: '2026-11-24T08:00:00.000Z' }],
    });
    expect(created.id).toMatch(/^ca_[0-9a-f]{32}$/);
    expect(created.secret).toMatch(/^whsec_/);
    const stored = repo.secrets[0]!;
    expect(stored.sealed.keyId).toBe('k1');
    expect(stored.sealed.ciphertext.toString('latin1')).not.toContain(created.secret!.slice(6));
    expect(repo.audit).toEqual([
      expect.objectContaining({ accountId: created.id, action: 'created', actor: operator }),
    ]);
    expect(JSON.stringify(repo.audit)).not.toContain(created.secret);
  });

  it('never returns a secret from get', async () => {
    const { service } = setup();
    const created = await service.create(input, operator);
    const view = await service.get(created.id);
    expect(view).not.toHaveProperty('secret');
    expect(JSON.stringify(view)).not.toContain(created.secret);
  });

  it('gives the intake the opened secrets of active accounts only', async () => {
    const { service } = setup();
    const created = await service.create(input, operator);
    await expect(service.credentialsForIntake(created.id)).resolves.toMatchObject({
      secrets: [created.secret],
    });
    await expect(
      service.credentialsForIntake('ca_ffffffffffffffffffffffffffffffff'),
    ).resolves.toBeUndefined();
    await expect(service.credentialsForIntake('../../etc')).resolves.toBeUndefined();
    await service.disable(created.id, operator);
    await expect(service.credentialsForIntake(created.id)).resolves.toBeUndefined();
  });

  it("keeps the intake's credentials for CREDENTIALS_TTL_MS, then sees what another replica changed", async () => {
    const { service, repo, advance } = setup();
    const created = await service.create(input, operator);
    await service.credentialsForIntake(created.id);
    const reads = jest.spyOn(repo, 'findActiveWithSecrets');
    // another replica disables the account: this one's cache still answers until the TTL runs out
    repo.accounts.set(created.id, { ...repo.accounts.get(created.id)!, status: 'disabled' });
    await expect(service.credentialsForIntake(created.id)).resolves.toBeDefined();
    expect(reads).not.toHaveBeenCalled();
    advance(CREDENTIALS_TTL_MS);
    await expect(service.credentialsForIntake(created.id)).resolves.toBeUndefined();
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('rotates keeping at most the previous secret active', async () => {
    const { service, repo, advance } = setup();
    const created = await service.create(input, operator);
    advance(60_000);
    const second = await service.rotateSecret(created.id, operator);
    expect(second.secret).not.toBe(created.secret);
    expect(second.secretVersions.map((v) => v.version)).toEqual([2, 1]);
    expect((await service.credentialsForIntake(created.id))!.secrets).toEqual([
      second.secret,
      created.secret,
    ]);

    const third = await service.rotateSecret(created.id, operator);
    expect(third.secretVersions.map((v) => v.version)).toEqual([3, 2]);
    expect((await service.credentialsForIntake(created.id))!.secrets).toEqual([third.secret, second.secret]);
    expect(repo.audit.map((a) => [a.action, a.details])).toEqual([
      ['created', expect.anything()],
      ['secret_rotated', { secretVersion: 2, retiredVersions: [] }],
      ['secret_rotated', { secretVersion: 3, retiredVersions: [1] }],
    ]);
    expect(third.updatedAt).toBe('2026-11-24T08:01:00.000Z');
  });

  it('disables once (idempotent) and refuses rotations afterwards', async () => {
    const { service, repo } = setup();
    const created = await service.create(input, operator);
    const disabled = await service.disable(created.id, operator);
    expect(disabled.status).toBe('disabled');
    await service.disable(created.id, operator);
    expect(repo.audit.filter((a) => a.action === 'disabled')).toHaveLength(1);
    await expect(service.rotateSecret(created.id, operator)).rejects.toBeInstanceOf(
      CarrierAccountDisabledError,
    );
  });

  it('answers unknown and malformed ids with 404', async () => {
    const { service } = setup();
    await expect(service.get('ca_ffffffffffffffffffffffffffffffff')).rejects.toBeInstanceOf(
      CarrierAccountNotFoundError,
    );
    await expect(service.get('nope')).rejects.toMatchObject({
      status: 404,
      code: 'carrier_account_not_found',
    });
    await expect(service.disable('nope', operator)).rejects.toBeInstanceOf(CarrierAccountNotFoundError);
    await expect(service.rotateSecret('nope', operator)).rejects.toBeInstanceOf(CarrierAccountNotFoundError);
  });

  it('skips a secret whose key is gone, so the sender fails verification instead of the service', async () => {
    const old = setup();
    const created = await old.service.create(input, operator);
    const rekeyed = new CarrierAccountsService(
      {
        read: (w: (m: EntityManager) => Promise<unknown>) => w({} as EntityManager),
      } as unknown as UnitOfWork,
      old.repo as unknown as CarrierAccountsRepository,
      new SecretBox([{ id: 'k2', key: Buffer.alloc(32, 6) }]),
      () => new Date(),
      { newSecret: () => '', newAccountId: () => '' },
    );
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      await expect(rekeyed.credentialsForIntake(created.id)).resolves.toMatchObject({ secrets: [] });
      expect(logged).toHaveBeenCalledWith(expect.stringContaining('CARRIER_SECRETS_KEY'));
      expect(String(logged.mock.calls)).not.toContain(created.secret);
    } finally {
      logged.mockRestore();
    }
  });
});
