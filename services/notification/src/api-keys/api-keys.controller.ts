import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { Access, AuthError, CurrentPrincipal, type Principal } from '@portico/auth';
import { z } from 'zod';
import { id } from '../directory/directory-import.schema';
import { ApiKeysService, type ApiKeyView } from './api-keys.service';

const issueSchema = z.object({
  tenantId: id,
  name: z.string().trim().min(1).max(100),
  scopes: z.array(z.string().trim().min(1).max(64)).min(1).max(10),
  expiresAt: z.iso.datetime({ offset: true }).pipe(z.coerce.date()).nullable().default(null),
});
const tenantQuery = z.object({ tenantId: id });
const keyIdParam = z.string().regex(/^[0-9A-Za-z]{16}$/, 'must be a key id (16 letters or digits)');

/** The person's user id, recorded as who issued or revoked. */
function actorOf(caller: Principal): string {
  if (caller.kind !== 'person') throw new AuthError('forbidden');
  return caller.subject;
}

/**
 * Property systems' API keys, managed by operators (the auth model has no tenant-admin role:
 * managers and stewards are property staff, not administrators of the tenant's integrations).
 */
@Controller('v1/api-keys')
@Access.people('operator')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  /** Creates a key; the full key (`pk_<env>_<keyId>_<secret>`) is in this answer only. */
  @Post()
  @HttpCode(201)
  issue(
    @CurrentPrincipal() caller: Principal,
    @Body() body: unknown,
  ): Promise<{ apiKey: string; key: ApiKeyView }> {
    const input = issueSchema.parse(body);
    return this.keys.issue({ ...input, actor: actorOf(caller) });
  }

  @Get()
  async list(@Query() query: unknown): Promise<{ items: ApiKeyView[] }> {
    return { items: await this.keys.list(tenantQuery.parse(query).tenantId) };
  }

  /** Takes effect on the key's next request (401 api_key_revoked). */
  @Post(':keyId/revoke')
  @HttpCode(200)
  revoke(
    @CurrentPrincipal() caller: Principal,
    @Param('keyId') keyId: string,
    @Query() query: unknown,
  ): Promise<ApiKeyView> {
    return this.keys.revoke(tenantQuery.parse(query).tenantId, keyIdParam.parse(keyId), actorOf(caller));
  }
}
