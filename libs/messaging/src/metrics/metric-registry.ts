import type { Metric, Registry } from 'prom-client';

/**
 * The metric already registered under `name`, or a new one. Several relays or transports may share
 * one registry (one process, or tests running two instances); prom-client throws on a duplicate.
 */
export function registeredMetric<M extends Metric>(registry: Registry, name: string, create: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? create();
}
