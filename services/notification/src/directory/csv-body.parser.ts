import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { NotificationConfig } from '../config';
import { addRawBodyParser } from '../shared/raw-body';
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
    const limit = this.config.directoryCsvMaxBytes;
    addRawBodyParser(
      this.adapterHost.httpAdapter?.getInstance() as FastifyInstance | undefined,
      CSV_MEDIA_TYPES,
      limit,
      () => new CsvTooLargeError(limit),
    );
  }
}
