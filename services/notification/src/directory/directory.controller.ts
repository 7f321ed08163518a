import { Body, Controller, Headers, HttpCode, Post, Query } from '@nestjs/common';
import { Access, assertTenantAccess, CurrentPrincipal, type Principal } from '@portico/auth';
import { z } from 'zod';
import { parseDirectoryChanges, type DirectoryChangesResult } from './directory-changes.schema';
import { DirectoryChangesService } from './directory-changes.service';
import { DirectoryCsvService, type CsvImportResult } from './directory-csv.service';
import { id, parseDirectoryImport, type DirectoryImportResult } from './directory-import.schema';
import { DirectoryService } from './directory.service';

/** Query string of a CSV import (a JSON import carries the tenant in its body). */
const csvQuerySchema = z.object({
  tenantId: id,
  tenantName: z.string().trim().min(1).max(200).optional(),
  kind: z.enum(['residents', 'staff']).default('residents'),
});

@Controller('v1/directory')
export class DirectoryController {
  constructor(
    private readonly directory: DirectoryService,
    private readonly csv: DirectoryCsvService,
    private readonly changes: DirectoryChangesService,
  ) {}

  /**
   * Imports (creates or updates) a tenant's properties, units, residents and staff. Idempotent.
   * `application/json`: the import body. `text/csv`: residents or staff rows (`?tenantId=&kind=`),
   * mapped onto the same body and writer; all-or-nothing. Operators import for any tenant; a
   * property system's API key only for its own tenant.
   */
  @Post('import')
  @HttpCode(200)
  @Access.people('operator')
  @Access.propertySystem('directory:write')
  async import(
    @CurrentPrincipal() caller: Principal,
    @Body() body: unknown,
    @Query() query: unknown,
    @Headers('content-type') contentType: string | undefined,
  ): Promise<DirectoryImportResult | CsvImportResult> {
    if (Buffer.isBuffer(body)) {
      const q = csvQuerySchema.parse(query);
      assertTenantAccess(caller, { tenantId: q.tenantId });
      return this.csv.importCsv({ ...q, bytes: body, contentType });
    }
    const input = parseDirectoryImport(body);
    assertTenantAccess(caller, { tenantId: input.tenant.id });
    return this.directory.importDirectory(input);
  }

  /**
   * Incremental roster changes from a property system (moved in/out, staff joined/left, on-duty
   * and rota changes). Idempotent per changeId, last-writer-wins per entity by occurredAt; the
   * batch is applied all-or-nothing.
   */
  @Post('changes')
  @HttpCode(200)
  @Access.people('operator')
  @Access.propertySystem('directory:write')
  async applyChanges(
    @CurrentPrincipal() caller: Principal,
    @Body() body: unknown,
  ): Promise<DirectoryChangesResult> {
    const batch = parseDirectoryChanges(body);
    assertTenantAccess(caller, { tenantId: batch.tenantId });
    return this.changes.apply(batch);
  }
}
