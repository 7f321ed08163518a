import { Controller, Get, Global, Header, Inject, Module, type DynamicModule } from '@nestjs/common';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';

/** Injection token of the service's Prometheus registry (`@Inject(METRICS_REGISTRY) registry: Registry`). */
export const METRICS_REGISTRY = 'portico:metrics-registry';

/**
 * One registry per service: Node/process default metrics, and a `service` label on every series so
 * dashboards can share panels across services. Libraries register their metrics on this registry
 * (injected through METRICS_REGISTRY), never on prom-client's global one.
 */
export function createMetricsRegistry(
  serviceName: string,
  options: { defaultMetrics?: boolean } = {},
): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: serviceName });
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}

export interface HttpMetrics {
  /** Record one finished request. `route` is the route template (never the raw path: ids and tokens would explode cardinality and leak). */
  observe(method: string, route: string, statusCode: number, seconds: number): void;
}

export function createHttpMetrics(registry: Registry): HttpMetrics {
  const histogram = new Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'Duration of HTTP requests handled by this service',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return {
    observe(method, route, statusCode, seconds) {
      histogram.observe({ method, route, status_code: String(statusCode) }, seconds);
    },
  };
}

@Controller('metrics')
export class MetricsController {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  @Get()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}

@Global()
@Module({})
export class MetricsModule {
  /** Provides METRICS_REGISTRY everywhere and serves it on GET /metrics. */
  static forRoot(registry: Registry): DynamicModule {
    return {
      module: MetricsModule,
      controllers: [MetricsController],
      providers: [{ provide: METRICS_REGISTRY, useValue: registry }],
      exports: [METRICS_REGISTRY],
    };
  }
}
