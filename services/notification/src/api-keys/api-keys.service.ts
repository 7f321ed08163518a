import { Inject, Injectable } from '@nestjs/common';
import {
  ApiKeyService,
  apiKeyServiceOptionsFromConfig,
  ApiKeyValidationError,
  PostgresApiKeyRepository,
  type ApiKeyInfo,
} from '@portico/auth';
import type { Logger } from '@portico/observability';
import { BadRequestError, NotFoundError, ROOT_LOGGER, UnitOfWork } from '@portico/service-kit';
import type { EntityManager } from 'typeorm';
import type { NotificationConfig } from '../config';
import { CLOCK, NOTIFICATION_CONFIG, type Clock } from '../shared/tokens';

/** Scopes a property system's key may carry on notification's endpoints. */
export const API_KEY_SCOPES = ['directory:write', 'directory:read', 'webhooks:manage', 'tasks:read'] as const;

export interface IssueKeyCommand {
  readonly tenantId: string;
  readonly name: string;
  readonly scopes: readonly string[];
  readonly expiresAt: Date | null;
  /** The person's user id (token subject), recorded as issuer. */
  readonly actor: string;
}

/** An API key as listings show it: never the secret or its hash. */
export interface ApiKeyView {
  readonly keyId: string;
  readonly tenantId: string;
  readonly name: string;
  readonly scopes: readonly string[];
  readonly environment: string;
  readonly createdAt: string;
  readonly createdBy: string | null;
  readonly expiresAt: string | null;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

/**
 * Issues, lists and revokes property systems' API keys with libs/auth's ApiKeyService (format,
 * peppered HMAC, verification) over the caller's transaction, so the key row and its audit row
 * (who issued or revoked it, when) commit together.
 */
@Injectable()
export class ApiKeysService {
  private readonly log: Logger;

  constructor(
    private readonly uow: UnitOfWork,
    @Inject(NOTIFICATION_CONFIG) private readonly config: NotificationConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ROOT_LOGGER) root: Logger,
  ) {
    this.log = root.child({ component: 'api-keys' });
  }

  private keys(m: EntityManager): ApiKeyService {
    return new ApiKeyService(
      new PostgresApiKeyRepository(m),
      apiKeyServiceOptionsFromConfig(this.config, { knownScopes: API_KEY_SCOPES, clock: this.clock }),
    );
  }

  async issue(cmd: IssueKeyCommand): Promise<{ apiKey: string; key: ApiKeyView }> {
    const issued = await this.uow.transaction(async (m) => {
      let result;
      try {
        result = await this.keys(m).issue({
          tenantId: cmd.tenantId,
          name: cmd.name,
          scopes: cmd.scopes,
          createdBy: cmd.actor,
          expiresAt: cmd.expiresAt,
        });
      } catch (e) {
        if (e instanceof ApiKeyValidationError) {
          throw new BadRequestError(
            'api_key_request_invalid',
            {
              en: 'The key request is invalid: scopes must be known, the name 1-100 characters, expiresAt in the future.',
              zh: '密钥请求无效：权限范围必须是已知的，名称 1-100 个字符，过期时间必须在未来。',
            },
            { knownScopes: API_KEY_SCOPES },
          );
        }
        throw e;
      }
      await this.audit(m, cmd.tenantId, result.info.keyId, 'issued', cmd.actor, result.info.scopes);
      return result;
    });
    this.log.info(
      { tenantId: cmd.tenantId, keyId: issued.info.keyId, scopes: issued.info.scopes, actor: cmd.actor },
      'api key issued',
    );
    return { apiKey: issued.apiKey, key: view(issued.info) };
  }

  async list(tenantId: string): Promise<ApiKeyView[]> {
    return (await this.uow.read((m) => this.keys(m).list(tenantId))).map(view);
  }

  /** Idempotent: revoking a revoked key answers it again (audited once). 404 for another tenant's key. */
  async revoke(tenantId: string, keyId: string, actor: string): Promise<ApiKeyView> {
    const revoked = await this.uow.transaction(async (m) => {
      const before = (await this.keys(m).list(tenantId)).find((k) => k.keyId === keyId);
      const info = before && (await this.keys(m).revoke(tenantId, keyId));
      if (!info) {
        throw new NotFoundError('api_key_not_found', {
          en: 'This tenant has no such API key.',
          zh: '该租户没有此 API 密钥。',
        });
      }
      if (before.revokedAt === null) await this.audit(m, tenantId, keyId, 'revoked', actor, info.scopes);
      return info;
    });
    this.log.info({ tenantId, keyId, actor }, 'api key revoked');
    return view(revoked);
  }

  private async audit(
    m: EntityManager,
    tenantId: string,
    keyId: string,
    action: 'issued' | 'revoked',
    actor: string,
    scopes: readonly string[],
  ): Promise<void> {
    await m.query(
      `INSERT INTO api_key_audit (tenant_id, key_id, action, actor, scopes, at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [tenantId, keyId, action, actor, [...scopes], this.clock()],
    );
  }
}

function view(k: ApiKeyInfo): ApiKeyView {
  return {
    keyId: k.keyId,
    tenantId: k.tenantId,
    name: k.name,
    scopes: k.scopes,
    environment: k.environment,
    createdAt: k.createdAt.toISOString(),
    createdBy: k.createdBy,
    expiresAt: k.expiresAt?.toISOString() ?? null,
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
  };
}
