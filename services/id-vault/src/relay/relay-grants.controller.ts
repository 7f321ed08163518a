import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { Access } from '@portico/auth';
import { RelayService } from './relay.service';

interface ReplyLike {
  header(name: string, value: string): ReplyLike;
  type(contentType: string): ReplyLike;
  send(payload: Buffer): unknown;
}

/** Carriers and brokers fetch the watermarked copy with the grant they were pushed. */
@Controller('v1/relay-grants')
export class RelayGrantsController {
  constructor(private readonly relay: RelayService) {}

  @Get(':token')
  @Access.public()
  async download(
    @Param('token') token: string,
    @Query('part') part: string | undefined,
    @Res() reply: ReplyLike,
  ) {
    const { bytes, part: served } = await this.relay.download(token, part);
    reply
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff')
      .header('content-disposition', `attachment; filename="${served}.jpg"`)
      .type('image/jpeg')
      .send(bytes);
  }
}
