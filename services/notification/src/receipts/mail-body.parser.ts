import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { addRawBodyParser } from '../shared/raw-body';
import { DsnTooLargeError } from './receipt-errors';

export const MAIL_MEDIA_TYPES = ['message/rfc822'];
/** A bounce carries the original's headers (or the whole original: our mails are small). */
export const DSN_MAX_BYTES = 1_048_576;

/** Raw mails (`message/rfc822`) as bytes for the bounce receiver, up to DSN_MAX_BYTES. */
@Injectable()
export class MailBodyParser implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    addRawBodyParser(
      this.adapterHost.httpAdapter?.getInstance() as FastifyInstance | undefined,
      MAIL_MEDIA_TYPES,
      DSN_MAX_BYTES,
      () => new DsnTooLargeError(DSN_MAX_BYTES),
    );
  }
}
