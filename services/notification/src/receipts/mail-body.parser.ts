import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { DsnTooLargeError } from './receipt-errors';

export const MAIL_MEDIA_TYPES = ['message/rfc822'];
/** A bounce carries the original's headers (or the whole original: our mails are small). */
export const DSN_MAX_BYTES = 1_048_576;

/**
 * Lets Fastify accept a raw mail (`message/rfc822`) as bytes, up to DSN_MAX_BYTES, for the bounce
 * receiver. Registered from the module so server and tests accept the same bodies.
 */
@Injectable()
export class MailBodyParser implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance() as FastifyInstance | undefined;
    if (!fastify || fastify.hasContentTypeParser('message/rfc822')) return;
    fastify.addContentTypeParser(MAIL_MEDIA_TYPES, (_request, payload, done) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let finished = false;
      const finish = (error: Error | null, body?: Buffer) => {
        if (finished) return;
        finished = true;
        done(error, body);
      };
      payload.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > DSN_MAX_BYTES) {
          finish(new DsnTooLargeError(DSN_MAX_BYTES));
          payload.resume();
          return;
        }
        if (!finished) chunks.push(chunk);
      });
      payload.on('end', () => finish(null, Buffer.concat(chunks)));
      payload.on('error', (e: Error) => finish(e));
    });
  }
}
