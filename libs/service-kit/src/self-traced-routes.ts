import {
  endServerSpan,
  isSelfTraced,
  pathWithoutQuery,
  runInServerSpan,
  startServerSpan,
  traceServerSpansUnder,
  type ServerSpan,
} from '@portico/observability';
import type { FastifyInstance } from 'fastify';

/**
 * Server spans for the Fastify-only routes (`fastifyOnlyPathPrefixes`), made by these hooks instead
 * of the HTTP instrumentation, which is told to skip those paths (why: @portico/observability's
 * server-span.ts). Every request under a prefix gets one SERVER span, the ones Fastify answers itself
 * too (413, 415, invalid JSON, unknown route): started on arrival, active around the handler (the
 * preHandler hook calls Fastify's next step inside the span's context, and the handler's awaits keep
 * it), ended with the status code when the answer is sent or the client goes away.
 */
export function traceFastifyOnlyRoutes(fastify: FastifyInstance, prefixes: readonly string[]): void {
  if (prefixes.length === 0) return;
  for (const prefix of prefixes) traceServerSpansUnder(prefix);
  const spans = new WeakMap<object, ServerSpan>();

  fastify.addHook('onRequest', (request, _reply, done) => {
    const path = pathWithoutQuery(request.url);
    if (isSelfTraced(path)) {
      spans.set(
        request,
        startServerSpan({
          method: request.method,
          route: request.routeOptions.url ?? 'unmatched',
          path,
          headers: request.headers,
        }),
      );
    }
    done();
  });
  fastify.addHook('preHandler', (request, _reply, done) => {
    const serverSpan = spans.get(request);
    if (serverSpan) runInServerSpan(serverSpan, done);
    else done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const serverSpan = spans.get(request);
    if (serverSpan) {
      spans.delete(request);
      endServerSpan(serverSpan.span, reply.statusCode);
    }
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    const serverSpan = spans.get(request);
    if (serverSpan) {
      spans.delete(request);
      endServerSpan(serverSpan.span, undefined, new Error('the client closed the connection'));
    }
    done();
  });
}
