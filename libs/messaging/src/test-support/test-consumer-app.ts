import type { INestMicroservice } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { KafkaEventTransport } from '../consumer/kafka-event.transport';
import { BatchTrackingConsumer, HandlerBehaviour, TrackingConsumer } from './tracking-consumer';
import { TRACKING_SCHEMA } from './tracking-events';

export interface TestConsumerApp {
  readonly app: INestMicroservice;
  readonly transport: KafkaEventTransport;
  readonly behaviour: HandlerBehaviour;
  close(): Promise<void>;
}

/** The way a service wires a consumer (controller + transport), in a testing module. */
export async function startTestConsumer(options: {
  brokers: string[];
  group: string;
  topic: string;
  dataSource: DataSource;
  behaviour?: HandlerBehaviour;
  retryDelaysMs?: number[];
  metricsRegistry?: Registry;
  concurrency?: { stream?: number; retry?: number };
  sessionTimeoutMs?: number;
  streamBatchSize?: number;
  /** Default TrackingConsumer (one record per call); BatchTrackingConsumer for batch handlers. */
  controller?: typeof TrackingConsumer | typeof BatchTrackingConsumer;
}): Promise<TestConsumerApp> {
  const behaviour = options.behaviour ?? new HandlerBehaviour();
  const transport = new KafkaEventTransport({
    kafka: { brokers: options.brokers, clientId: `test-${options.group}` },
    group: options.group,
    dataSource: options.dataSource,
    topics: [{ name: options.topic, valueSchema: TRACKING_SCHEMA }],
    retryDelaysMs: options.retryDelaysMs ?? [300, 300],
    metricsRegistry: options.metricsRegistry,
    maxWaitTimeInMs: 200,
    concurrency: options.concurrency,
    streamBatchSize: options.streamBatchSize,
    sessionTimeoutMs: options.sessionTimeoutMs,
    heartbeatIntervalMs: options.sessionTimeoutMs ? Math.floor(options.sessionTimeoutMs / 6) : undefined,
  });
  const moduleRef = await Test.createTestingModule({
    controllers: [options.controller ?? TrackingConsumer],
    providers: [{ provide: HandlerBehaviour, useValue: behaviour }],
  }).compile();
  const app = moduleRef.createNestMicroservice({ strategy: transport, logger: ['error', 'warn'] });
  await app.listen();
  await transport.ready();
  return { app, transport, behaviour, close: () => app.close() };
}
