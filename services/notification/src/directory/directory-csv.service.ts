import { Inject, Injectable } from '@nestjs/common';
import { BadRequestError, DomainError, UnitOfWork } from '@portico/service-kit';
import { ZodError } from 'zod';
import type { NotificationConfig } from '../config';
import { NOTIFICATION_CONFIG } from '../shared/tokens';
import {
  csvIssuesFromDomain,
  csvIssuesFromZod,
  CsvInvalidError,
  decodeCsv,
  readCsvRecords,
  residentsCsvToImport,
  staffCsvToImport,
  type CsvKind,
  type CsvLocator,
} from './directory-csv';
import {
  parseDirectoryImport,
  type DirectoryImport,
  type DirectoryImportResult,
} from './directory-import.schema';
import { DirectoryMetrics } from './directory.metrics';
import { DirectoryRepository } from './directory.repository';
import { DirectoryService } from './directory.service';

export interface CsvImportCommand {
  readonly tenantId: string;
  /** Needed for a tenant the directory does not know yet; otherwise the stored name is kept. */
  readonly tenantName?: string;
  readonly kind: CsvKind;
  readonly bytes: Uint8Array;
  readonly contentType: string | undefined;
}

export interface CsvImportResult extends DirectoryImportResult {
  readonly rows: number;
}

/**
 * A CSV import: decode (UTF-8 only), read rows, build the JSON import body, validate it with the
 * import schema and write it with DirectoryService.importDirectory, in its one transaction. Any
 * problem in any row rejects the whole file (all-or-nothing), with every problem listed by row and
 * column.
 */
@Injectable()
export class DirectoryCsvService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly directory: DirectoryService,
    private readonly repository: DirectoryRepository,
    private readonly metrics: DirectoryMetrics,
    @Inject(NOTIFICATION_CONFIG) private readonly config: Pick<NotificationConfig, 'directoryCsvMaxRows'>,
  ) {}

  async importCsv(cmd: CsvImportCommand): Promise<CsvImportResult> {
    let written = false;
    try {
      const input = await this.prepare(cmd);
      written = true; // from here on importDirectory counts the outcome
      return await this.write(input.input, input.locator, input.rows);
    } catch (e) {
      if (!written && e instanceof DomainError) this.metrics.imported('csv', 'rejected');
      throw e;
    }
  }

  private async prepare(cmd: CsvImportCommand) {
    const text = decodeCsv(cmd.bytes, cmd.contentType);
    const records = readCsvRecords(text, cmd.kind, this.config.directoryCsvMaxRows);
    const name = cmd.tenantName ?? (await this.uow.read((m) => this.repository.tenantName(m, cmd.tenantId)));
    if (!name) {
      throw new BadRequestError('tenant_name_required', {
        en: 'This tenant has no directory yet: give tenantName in the query string.',
        zh: '该租户尚无目录数据，请在查询参数中提供 tenantName。',
      });
    }
    const tenant = { id: cmd.tenantId, name };
    const { body, locator } =
      cmd.kind === 'residents' ? residentsCsvToImport(tenant, records) : staffCsvToImport(tenant, records);
    try {
      return { input: parseDirectoryImport(body), locator, rows: records.length };
    } catch (e) {
      if (e instanceof ZodError) throw new CsvInvalidError(csvIssuesFromZod(e, locator));
      throw e;
    }
  }

  private async write(input: DirectoryImport, locator: CsvLocator, rows: number): Promise<CsvImportResult> {
    try {
      return { ...(await this.directory.importDirectory(input, 'csv')), rows };
    } catch (e) {
      const issues = e instanceof DomainError ? csvIssuesFromDomain(e, locator) : undefined;
      if (e instanceof DomainError && issues)
        throw new DomainError({ code: e.code, status: e.status, message: e.localized, details: { issues } });
      throw e;
    }
  }
}
