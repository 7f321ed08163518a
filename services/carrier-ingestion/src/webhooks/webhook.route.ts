import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from '@portico/observability';
import { DEFAULT_BODY_LIMIT_BYTES, mapError, ROOT_LOGGER } from '@portico/service-kit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RETRY_AFTER_SECONDS, TemporarilyUnavailableError } from '../shared/database-errors';
import { WebhookIntakeService, type IntakeResult } from './webhook-intake.service';

/** Served by the route below, outside Nest's pipeline (see bootstrap's `fastifyOnlyPathPrefixes`). */
export const WEBHOOK_PATH_PREFIX = '/webhooks/';

export type WebhookAnswer =
  { status: 'accepted'; events: number } | { status: 'duplicate' } | Readonly<Record<string, unknown>>;

const JSON_UTF8 = 'application/json; charset=utf-8';

/**
 * `POST /webhooks/:carrierAccountId`: where carriers deliver tracking updates, and the service's hot
 * path. It is registered straight on Fastify instead of as a Nest controller: at thousands of
 * deliveries a second, Nest's per-request pipeline (middleware through middie, the request-scoped
 * logger binding, guards, interceptors, filters) cost about a quarter of the service's CPU and gave
 * this route nothing: the caller is authenticated by the webhook signature (checked in the intake
 * service on the raw bytes that the body parser keeps as `req.rawBody`), not by a bearer token; the
 * intake writes its own log line; errors are answered here with service-kit's `mapError`, the one
 * mapping every other route's filter uses. Everything else still comes from the shared HTTP layer:
 * body parsers and limit (413/415/invalid JSON, answered by service-kit's Fastify error handler),
 * request ids, HTTP metrics, the OpenTelemetry server span. `webhook-answers.int-spec.ts` pins
 * every answer.
 */
export function registerWebhookRoute(
  fastify: FastifyInstance,
  intake: WebhookIntakeService,
  logger: Logger,
  bodyLimitBytes = DEFAULT_BODY_LIMIT_BYTES,
): void {
  fastify.post<{ Params: { carrierAccountId: string } }>(
    `${WEBHOOK_PATH_PREFIX}:carrierAccountId`,
    async (req: FastifyRequest<{ Params: { carrierAccountId: string } }>, reply: FastifyReply) => {
      // Fastify's router matches `/webhooks/` with an empty id, Nest's routing did not: not found.
      if (req.params.carrierAccountId === '') return reply.callNotFound();
      let result: IntakeResult;
      try {
        result = await intake.receive({
          carrierAccountId: req.params.carrierAccountId,
          rawBody: (req as { rawBody?: Buffer }).rawBody ?? Buffer.alloc(0),
          headers: req.headers,
          requestId: req.id,
        });
      } catch (error) {
        return answerError(reply, error, logger, bodyLimitBytes);
      }
      const [status, body] = answerOf(result);
      return reply.code(status).send(body);
    },
  );
}

/** Registers the route on a Nest application's Fastify instance; for `configureHttp`. */
export async function registerWebhookRouteOn(app: NestFastifyApplication): Promise<void> {
  registerWebhookRoute(
    app.getHttpAdapter().getInstance() as unknown as FastifyInstance,
    app.get(WebhookIntakeService),
    app.get<string, Logger>(ROOT_LOGGER),
  );
}

/** 202: stored and queued for publishing; 200: already had it (the sender may stop retrying). */
export function answerOf(result: IntakeResult): [number, WebhookAnswer] {
  // the provider reads its own reply format, on a 200
  if (result.acknowledgement) return [200, result.acknowledgement];
  if (result.status === 'duplicate') return [200, { status: 'duplicate' }];
  return [202, { status: 'accepted', events: result.events }];
}

/**
 * The service-kit error envelope, as the global filter answers it; a database outage also gets
 * `Retry-After`, which carriers and HTTP clients use to schedule their retry.
 */
function answerError(reply: FastifyReply, error: unknown, logger: Logger, bodyLimitBytes: number) {
  const mapped = mapError(error, { bodyLimitBytes });
  if (error instanceof TemporarilyUnavailableError) {
    logger.warn(
      { reason: error.reason, reqId: reply.request.id },
      `database unavailable: answered 503, retry in ${RETRY_AFTER_SECONDS}s`,
    );
    void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  } else if (mapped.log) {
    logger.error({ err: error, status: mapped.status, reqId: reply.request.id }, 'request failed');
  }
  return reply.code(mapped.status).header('content-type', JSON_UTF8).send(JSON.stringify(mapped.body));
}
