import { Body, Controller, Delete, HttpCode, Inject, Injectable, Param, Post } from '@nestjs/common';
import { Access, CurrentPrincipal, type Principal } from '@portico/auth';
import type { Logger } from '@portico/observability';
import { DomainError, NotFoundError, ROOT_LOGGER, UnitOfWork } from '@portico/service-kit';
import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { ID_GENERATOR, type IdGenerator } from '../shared/tokens';

/**
 * A browser's PushSubscription as `subscription.toJSON()` gives it. The endpoint must be an https
 * URL of a push service; p256dh is the browser's P-256 public key (65 bytes), auth its 16-byte
 * secret, both base64url.
 */
export const pushSubscriptionBody = z
  .object({
    endpoint: z
      .string()
      .url()
      .max(2048)
      .refine(
        (v) => v.startsWith('https://') || /^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(v),
        'must be an https URL',
      ),
    expirationTime: z.number().nullable().optional(),
    keys: z
      .object({
        p256dh: z.string().regex(/^[A-Za-z0-9_-]{86,88}={0,2}$/, 'must be a base64url P-256 public key'),
        auth: z.string().regex(/^[A-Za-z0-9_-]{21,24}={0,2}$/, 'must be a base64url 16-byte secret'),
      })
      .strict(),
  })
  .strict();

export class NotInDirectoryError extends DomainError {
  constructor() {
    super({
      code: 'staff_not_in_directory',
      status: 403,
      message: {
        en: 'Your account is not a staff member in the property directory, so it cannot receive notifications.',
        zh: '您的账号不在物业通讯录的员工名单中，无法接收通知。',
      },
    });
  }
}

@Injectable()
export class PushSubscriptionsRepository {
  async staffOfTenant(m: EntityManager, staffId: string, tenantId: string | null): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `SELECT 1 FROM staff WHERE id = $1 AND ($2::text IS NULL OR tenant_id = $2)`,
      [staffId, tenantId],
    );
    return rows.length > 0;
  }

  /** One row per endpoint: a browser registered again (or by a colleague on a shared PC) moves over. */
  async upsert(
    m: EntityManager,
    s: { id: string; staffId: string; endpoint: string; p256dh: string; auth: string },
  ): Promise<string> {
    const [row] = (await m.query(
      `INSERT INTO push_subscriptions (id, staff_id, endpoint, p256dh, auth) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (endpoint) DO UPDATE SET staff_id = EXCLUDED.staff_id, p256dh = EXCLUDED.p256dh,
              auth = EXCLUDED.auth, updated_at = now()
       RETURNING id`,
      [s.id, s.staffId, s.endpoint, s.p256dh, s.auth],
    )) as { id: string }[];
    return row!.id;
  }

  async remove(m: EntityManager, id: string, staffId: string): Promise<boolean> {
    const result = (await m.query(
      `DELETE FROM push_subscriptions WHERE id = $1 AND staff_id = $2 RETURNING id`,
      [id, staffId],
    )) as unknown;
    const rows =
      Array.isArray(result) && Array.isArray(result[0]) ? (result[0] as unknown[]) : (result as unknown[]);
    return rows.length > 0;
  }
}

/**
 * The steward console registers the browser it runs in for web push (the staff member is the
 * token's subject, a staff id of the directory) and removes it on sign-out.
 */
@Controller('v1/steward-console/push-subscriptions')
export class PushSubscriptionsController {
  private readonly log: Logger;

  constructor(
    private readonly repo: PushSubscriptionsRepository,
    private readonly uow: UnitOfWork,
    @Inject(ID_GENERATOR) private readonly newId: IdGenerator,
    @Inject(ROOT_LOGGER) root: Logger,
  ) {
    this.log = root.child({ component: 'channels' });
  }

  @Post()
  @HttpCode(201)
  @Access.people('steward', 'manager')
  async register(@CurrentPrincipal() caller: Principal, @Body() body: unknown): Promise<{ id: string }> {
    const input = pushSubscriptionBody.parse(body);
    const staffId = caller.kind === 'person' ? caller.subject : '';
    const tenantId = caller.kind === 'person' ? caller.tenantId : null;
    const id = await this.uow.transaction(async (m) => {
      if (!(await this.repo.staffOfTenant(m, staffId, tenantId))) throw new NotInDirectoryError();
      return this.repo.upsert(m, {
        id: this.newId('psub'),
        staffId,
        endpoint: input.endpoint,
        p256dh: input.keys.p256dh,
        auth: input.keys.auth,
      });
    });
    this.log.info({ staffId, subscriptionId: id }, 'web push subscription registered');
    return { id };
  }

  @Delete(':id')
  @HttpCode(204)
  @Access.people('steward', 'manager')
  async remove(@CurrentPrincipal() caller: Principal, @Param('id') id: string): Promise<void> {
    const staffId = caller.kind === 'person' ? caller.subject : '';
    const removed = await this.uow.transaction((m) => this.repo.remove(m, id, staffId));
    if (!removed) {
      throw new NotFoundError('push_subscription_not_found', {
        en: 'No such push subscription for your account.',
        zh: '您的账号下没有该推送订阅。',
      });
    }
  }
}
