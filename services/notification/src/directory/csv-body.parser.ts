import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { NotificationConfig } from '../config';
import { NOTIFICATION_CONFIG } from '../shared/tokens';
import { CsvTooLargeError } from './directory-csv';

export const CSV_MEDIA_TYPES = ['text/csv', 'application/csv'];

/**
 * Lets Fastify accept CSV bodies (as raw bytes, decoded by the import after its encoding check)
 * up to DIRECTORY_CSV_MAX_BYTES, which may be larger than the service's 1 MB JSON limit. Registered
 * from the module, so every way the app is built (server, tests) accepts the same bodies. A body
 * over the limit is answered 413 `csv_too_large` as soon as it crosses it, without buffering more.
 */
@Injectable()
export class CsvBodyParser implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(NOTIFICATION_CONFIG) private readonly config: Pick<NotificationConfig, 'directoryCsvMaxBytes'>,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance() as FastifyInstance | undefined;
    if (!fastify || fastify.hasContentTypeParser('text/csv')) return;
    const limit = this.config.directoryCsvMaxBytes;
    fastify.addContentTypeParser(CSV_MEDIA_TYPES, (_request, payload, done) => {
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
        if (size > limit) {
          finish(new CsvTooLargeError(limit));
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
