import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { Access, CurrentPrincipal, type Principal } from '@portico/auth';
import { createUploadRequestBody } from './upload-request-requests';
import { UploadRequestsService } from './upload-requests.service';

function callerName(p: Principal): string {
  return p.kind === 'service' ? p.name : p.kind;
}

/**
 * Internal API: notification asks for a resident's one-time upload link and gets the URL (with its
 * secret) in the answer, the only place the secret ever leaves the vault.
 */
@Controller('internal/v1/upload-requests')
@Access.service('notification')
export class UploadRequestsController {
  constructor(private readonly requests: UploadRequestsService) {}

  @Post()
  @HttpCode(201)
  async create(@CurrentPrincipal() caller: Principal, @Body() body: unknown) {
    const input = createUploadRequestBody.parse(body);
    const link = await this.requests.create({ ...input, requestedBy: callerName(caller) });
    return { ...link, expiresAt: link.expiresAt.toISOString() };
  }

  @Post(':requestId/revoke')
  @HttpCode(204)
  async revoke(@CurrentPrincipal() caller: Principal, @Param('requestId') requestId: string): Promise<void> {
    await this.requests.revoke(requestId, callerName(caller));
  }
}
