import { Inject, Injectable } from '@nestjs/common';
import { Counter, METRICS_REGISTRY, type Registry } from '@portico/observability';

/** Directory intake counters. Labels are closed enums: never ids or personal data. */
@Injectable()
export class DirectoryMetrics {
  private readonly imports: Counter<'format' | 'outcome'>;
  private readonly changes: Counter<'type' | 'outcome'>;
  private readonly purges: Counter<string>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.imports = new Counter({
      name: 'portico_directory_imports_total',
      help: 'Directory imports by body format (json | csv) and outcome (ok | rejected)',
      labelNames: ['format', 'outcome'] as const,
      registers: [registry],
    });
    this.changes = new Counter({
      name: 'portico_directory_changes_total',
      help: 'Roster changes by type and outcome (applied | stale | duplicate)',
      labelNames: ['type', 'outcome'] as const,
      registers: [registry],
    });
    this.purges = new Counter({
      name: 'portico_directory_resident_purges_total',
      help: 'Removed residents whose personal data was blanked after the retention',
      registers: [registry],
    });
  }

  imported(format: 'json' | 'csv', outcome: 'ok' | 'rejected'): void {
    this.imports.inc({ format, outcome });
  }

  change(type: string, outcome: 'applied' | 'stale' | 'duplicate'): void {
    this.changes.inc({ type, outcome });
  }

  purged(): void {
    this.purges.inc();
  }
}
