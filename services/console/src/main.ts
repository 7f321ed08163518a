// Order matters. Configuration first (a bad setting stops the process before anything starts), then
// tracing, and only then, through dynamic imports, everything tracing instruments (Nest/Fastify/http,
// pg, kafkajs): OpenTelemetry patches those modules as they are first required.
import { loadConfigOrExit } from '@portico/config';
import { startTracing } from '@portico/observability/tracing';
import { SERVICE_NAME, settings } from './config';

const config = loadConfigOrExit(SERVICE_NAME, settings);
startTracing({ serviceName: config.serviceName, otlpEndpoint: config.otlpEndpoint });

void import('./server.js').then(({ startServer }) => startServer(config));
