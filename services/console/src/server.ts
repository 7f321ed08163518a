import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import { bootstrapService, type RunningService, type ServiceAppOptions } from '@portico/service-kit';
import { AppModule } from './app.module';
import { settings, type ConsoleConfig } from './config';
import { SECURITY_HEADERS, webRoot } from './spa/web-root';

/** How the console's HTTP server differs from the other services': cookies, static SPA, security headers. */
export function consoleAppOptions(config: ConsoleConfig): Omit<ServiceAppOptions, 'module' | 'config'> {
  return {
    settings,
    // The SSE stream is long-lived: its "request completed" line would only say how long it was open.
    selfLoggedPathPrefixes: ['/api/events', '/assets/'],
    configureHttp: async (app) => {
      await app.register(cookie);
      // Routes for the files the build left (wildcard off: nothing else falls through to the disk);
      // the SPA's own routes are SpaController's, answered with index.html.
      await app.register(fastifyStatic, { root: webRoot(config), prefix: '/', wildcard: false, index: false });
      const fastify = app.getHttpAdapter().getInstance();
      fastify.addHook('onSend', (_request, reply, payload, done) => {
        for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
        done(null, payload);
      });
    },
  };
}

/** Loaded by main.ts only after tracing has started (see there). */
export function startServer(config: ConsoleConfig): Promise<RunningService> {
  return bootstrapService({ module: AppModule.forRoot(config), config, ...consoleAppOptions(config) });
}
