import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { Access, assertTenantAccess, CurrentPrincipal, type Principal } from '@portico/auth';
import { parseDirectoryImport, type DirectoryImportResult } from './directory-import.schema';
import { DirectoryService } from './directory.service';

@Controller('v1/directory')
export class DirectoryController {
  constructor(private readonly directory: DirectoryService) {}

  /**
   * Imports (creates or updates) a tenant's properties, units, residents and staff. Idempotent.
   * Operators import for any tenant; a property system's API key only for its own tenant.
   */
  @Post('import')
  @HttpCode(200)
  @Access.people('operator')
  @Access.propertySystem('directory:write')
  async import(@CurrentPrincipal() caller: Principal, @Body() body: unknown): Promise<DirectoryImportResult> {
    const input = parseDirectoryImport(body);
    assertTenantAccess(caller, { tenantId: input.tenant.id });
    return this.directory.importDirectory(input);
  }
}
