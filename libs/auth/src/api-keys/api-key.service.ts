import { randomBytes as nodeRandomBytes, timingSafeEqual } from 'node:crypto';
import { AuthError } from '../auth-error';
import type { PropertySystemPrincipal } from '../principal';
import {
  formatApiKey,
  generateApiKey,
  hashApiKeySecret,
  parseApiKey,
  type ApiKeyEnvironment,
  type RandomBytes,
} from './api-key-format';
import {
  toApiKeyInfo,
  type ApiKeyInfo,
  type ApiKeyRecord,
  type ApiKeyRepository,
} from './api-key.repository';

export interface ApiKeyPepper {
  readonly id: string;
  readonly secret: string;
}

export interface ApiKeyServiceOptions {
  /** Peppers by id; the first one hashes new keys, the others still verify older keys (rotation). */
  readonly peppers: readonly ApiKeyPepper[];
  /** `live` in production; `test` everywhere else, so a demo key never works in production. */
  readonly environment: ApiKeyEnvironment;
  /** When given, scopes outside this list are refused at issue time. */
  readonly knownScopes?: readonly string[];
  /** Minimum gap between two writes of `last_used_at` for the same key. Default one minute. */
  readonly lastUsedResolutionMs?: number;
  readonly clock?: () => Date;
  readonly randomBytes?: RandomBytes;
}

export interface IssueApiKeyInput {
  readonly tenantId: string;
  readonly name: string;
  readonly scopes: readonly string[];
  readonly createdBy?: string | null;
  readonly expiresAt?: Date | null;
}

export interface IssuedApiKey {
  /** The full key. Shown to the caller this one time; only its hash is stored. */
  readonly apiKey: string;
  readonly info: ApiKeyInfo;
}

/** What the guard needs from API keys; ApiKeyService is the implementation. */
export interface ApiKeyVerifier {
  verify(presented: string): Promise<PropertySystemPrincipal>;
}

export class ApiKeyValidationError extends Error {
  override readonly name = 'ApiKeyValidationError';
}

const SCOPE_PATTERN = /^[a-z][a-z0-9-]*(?::[a-z][a-z0-9-]*)+$/;
const PEPPER_MIN_LENGTH = 32;

export class ApiKeyService implements ApiKeyVerifier {
  private readonly peppers: ReadonlyMap<string, string>;
  private readonly currentPepper: ApiKeyPepper;
  private readonly clock: () => Date;
  private readonly random: RandomBytes;
  private readonly resolutionMs: number;
  /** Compared against when the key id is unknown, so that path does the same work as a real one. */
  private readonly decoyHash: Buffer;

  constructor(
    private readonly repository: ApiKeyRepository,
    private readonly options: ApiKeyServiceOptions,
  ) {
    const [current] = options.peppers;
    if (!current) throw new Error('ApiKeyService needs at least one pepper');
    for (const p of options.peppers) {
      if (!/^[A-Za-z0-9-]{1,32}$/.test(p.id))
        throw new Error('API key pepper ids are 1-32 letters, digits or dashes');
      if (p.secret.length < PEPPER_MIN_LENGTH)
        throw new Error(`API key pepper "${p.id}" must be at least ${PEPPER_MIN_LENGTH} characters`);
    }
    this.peppers = new Map(options.peppers.map((p) => [p.id, p.secret]));
    this.currentPepper = current;
    this.clock = options.clock ?? (() => new Date());
    this.random = options.randomBytes ?? nodeRandomBytes;
    this.resolutionMs = options.lastUsedResolutionMs ?? 60_000;
    this.decoyHash = hashApiKeySecret(current.secret, 'decoy', 'decoy');
  }

  async issue(input: IssueApiKeyInput): Promise<IssuedApiKey> {
    this.validate(input);
    const key = generateApiKey(this.options.environment, this.random);
    const record: ApiKeyRecord = {
      keyId: key.keyId,
      tenantId: input.tenantId,
      name: input.name.trim(),
      scopes: [...new Set(input.scopes)].sort(),
      environment: key.environment,
      secretHash: hashApiKeySecret(this.currentPepper.secret, key.keyId, key.secret),
      pepperId: this.currentPepper.id,
      createdAt: this.clock(),
      createdBy: input.createdBy ?? null,
      expiresAt: input.expiresAt ?? null,
      lastUsedAt: null,
      revokedAt: null,
    };
    await this.repository.insert(record);
    return { apiKey: formatApiKey(key), info: toApiKeyInfo(record) };
  }

  /** Turns a presented key into a principal or throws a 401 AuthError. */
  async verify(presented: string): Promise<PropertySystemPrincipal> {
    const parsed = parseApiKey(presented);
    if (!parsed || parsed.environment !== this.options.environment) throw new AuthError('api_key_invalid');

    const record = await this.repository.findByKeyId(parsed.keyId);
    const pepper = record ? this.peppers.get(record.pepperId) : undefined;
    const expected = record && pepper !== undefined ? Buffer.from(record.secretHash) : this.decoyHash;
    const actual = hashApiKeySecret(pepper ?? this.currentPepper.secret, parsed.keyId, parsed.secret);
    const matches = expected.length === actual.length && timingSafeEqual(expected, actual);
    if (!record || pepper === undefined || !matches) throw new AuthError('api_key_invalid');

    const now = this.clock();
    if (record.revokedAt !== null) throw new AuthError('api_key_revoked');
    if (record.expiresAt !== null && record.expiresAt <= now) throw new AuthError('api_key_expired');

    const staleBefore = new Date(now.getTime() - this.resolutionMs);
    if (record.lastUsedAt === null || record.lastUsedAt < staleBefore) {
      await this.repository.touchLastUsed(record.keyId, now, staleBefore);
    }
    return { kind: 'property-system', tenantId: record.tenantId, keyId: record.keyId, scopes: record.scopes };
  }

  /** Idempotent; null when the tenant has no such key. Takes effect on the next request. */
  async revoke(tenantId: string, keyId: string): Promise<ApiKeyInfo | null> {
    const record = await this.repository.revoke(tenantId, keyId, this.clock());
    return record ? toApiKeyInfo(record) : null;
  }

  /** The tenant's keys, revoked ones included, without any secret material. */
  async list(tenantId: string): Promise<ApiKeyInfo[]> {
    return (await this.repository.listByTenant(tenantId)).map(toApiKeyInfo);
  }

  private validate(input: IssueApiKeyInput): void {
    if (!input.tenantId.trim()) throw new ApiKeyValidationError('tenantId is required');
    if (!input.name.trim() || input.name.length > 100)
      throw new ApiKeyValidationError('name must be 1-100 characters');
    if (input.scopes.length === 0) throw new ApiKeyValidationError('at least one scope is required');
    for (const scope of input.scopes) {
      if (!SCOPE_PATTERN.test(scope))
        throw new ApiKeyValidationError(`scope "${scope}" must look like "resource:action"`);
      if (this.options.knownScopes && !this.options.knownScopes.includes(scope)) {
        throw new ApiKeyValidationError(`unknown scope "${scope}"`);
      }
    }
    if (input.expiresAt && input.expiresAt <= this.clock())
      throw new ApiKeyValidationError('expiresAt must be in the future');
  }
}
