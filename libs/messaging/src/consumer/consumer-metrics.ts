import { Counter, Histogram, type Registry } from 'prom-client';
import { registeredMetric } from '../metrics/metric-registry';

export interface ConsumerMetrics {
  readonly records: Counter<'group' | 'topic' | 'outcome'>;
  readonly processing: Histogram<'group' | 'topic'>;
  readonly infrastructureErrors: Counter<'group'>;
  readonly batchFallbacks: Counter<'group'>;
  readonly batchRecords: Histogram<'group' | 'topic'>;
}

export function createConsumerMetrics(registry: Registry): ConsumerMetrics {
  return {
    records: registeredMetric(
      registry,
      'portico_consumer_records_total',
      () =>
        new Counter({
          name: 'portico_consumer_records_total',
          help: 'Records finished by a consumer group, by outcome (handled, duplicate, retry-scheduled, parked, dead-lettered, poison, ...)',
          labelNames: ['group', 'topic', 'outcome'],
          registers: [registry],
        }),
    ),
    processing: registeredMetric(
      registry,
      'portico_consumer_processing_seconds',
      () =>
        new Histogram({
          name: 'portico_consumer_processing_seconds',
          help: 'Time to finish one record, transaction and retry/DLQ produce included',
          labelNames: ['group', 'topic'],
          buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
          registers: [registry],
        }),
    ),
    infrastructureErrors: registeredMetric(
      registry,
      'portico_consumer_infrastructure_errors_total',
      () =>
        new Counter({
          name: 'portico_consumer_infrastructure_errors_total',
          help: 'Failures of Postgres or Kafka while finishing a record (the record is retried in place)',
          labelNames: ['group'],
          registers: [registry],
        }),
    ),
    batchFallbacks: registeredMetric(
      registry,
      'portico_consumer_batch_fallbacks_total',
      () =>
        new Counter({
          name: 'portico_consumer_batch_fallbacks_total',
          help: 'Chunks of stream records that could not commit as one transaction and ran record by record',
          labelNames: ['group'],
          registers: [registry],
        }),
    ),
    batchRecords: registeredMetric(
      registry,
      'portico_consumer_batch_records',
      () =>
        new Histogram({
          name: 'portico_consumer_batch_records',
          help: 'Records of a stream chunk finished together in its one transaction (the rest went one by one)',
          labelNames: ['group', 'topic'],
          buckets: [0, 1, 2, 5, 10, 20, 50, 100, 200],
          registers: [registry],
        }),
    ),
  };
}
