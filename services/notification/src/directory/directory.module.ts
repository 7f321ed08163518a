import { Module } from '@nestjs/common';
import { DirectoryHooks } from './consent-changes';
import { CsvBodyParser } from './csv-body.parser';
import { DirectoryChangesService } from './directory-changes.service';
import { DirectoryCsvService } from './directory-csv.service';
import { DirectoryController } from './directory.controller';
import { DirectoryMetrics } from './directory.metrics';
import { DirectoryRepository } from './directory.repository';
import { DirectoryService } from './directory.service';

/**
 * The property directory: JSON and CSV import, roster changes (with the removed residents' purge
 * timer), and the repository resolution, outreach and the channels read from.
 */
@Module({
  controllers: [DirectoryController],
  providers: [
    DirectoryService,
    DirectoryCsvService,
    DirectoryChangesService,
    DirectoryRepository,
    DirectoryMetrics,
    CsvBodyParser,
    DirectoryHooks,
  ],
  exports: [DirectoryRepository, DirectoryHooks],
})
export class DirectoryModule {}
