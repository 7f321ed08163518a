/**
 * clearance as a real service for HTTP-minded integration tests: one instance of ClearanceHarness
 * (fresh database with the migrations, the shared broker, its own consumer group started at the
 * topics' ends, bootstrapService exactly as in production), with spans captured in memory and small
 * helpers for tokens and requests. Logs and spans can be scanned for personal data or tokens.
 */
import { SERVICE_NAME_HEADER, signDevToken } from '@portico/auth';
import type { common } from '@portico/contracts';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTracing } from '@portico/observability/tracing';
import { waitFor } from '@portico/testing';
import { ClearanceHarness } from './clearance-harness';
import { customsHold, type TrackingInit, type trackingEvent } from './clearance-it';

const HOUR = 3_600_000;

// Response bodies are asserted on, not typed.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  body: Json;
}

export { customsHold, trackingEvent, type TrackingInit } from './clearance-it';

export type ClearanceApp = Awaited<ReturnType<typeof startClearanceApp>>;

/** Boots the service for `runId` (unique per test file run); `close()` stops it and drops its database. */
export async function startClearanceApp(runId: string, env: Record<string, string> = {}) {
  const spans = new InMemorySpanExporter();
  startTracing({ serviceName: 'clearance', spanProcessors: [new SimpleSpanProcessor(spans)] });
  const harness = await ClearanceHarness.start(`app-${runId}`, { LOG_LEVEL: 'debug', ...env });
  const service = await harness.startInstance();
  const { config, pg } = harness;

  /** Publishes one tracking event as carrier-ingestion would (keyed by parcel id). */
  const publish = (message: ReturnType<typeof trackingEvent>, ref: common.ParcelRef, tenantId: string) =>
    harness.publishTrackingEvent(message, ref, tenantId);

  /** Publishes a hold and waits until it has been handled; the id of the case it opened, if any. */
  async function openCase(
    ref: common.ParcelRef,
    tenantId: string,
    init: TrackingInit = {},
    at = new Date(Date.now() - HOUR),
  ) {
    const record = await publish(customsHold(ref, tenantId, at, init), ref, tenantId);
    await waitFor(() => harness.processed(record.eventId), {
      timeoutMs: 30_000,
      description: 'the hold handled',
    });
    const { rows } = await pg.query<{ id: string }>(
      `SELECT id FROM clearance_cases WHERE tenant_id = $1 AND parcel_id = $2 ORDER BY opened_at DESC LIMIT 1`,
      [tenantId, ref.parcelId],
    );
    return rows[0]?.id;
  }

  /** A person's token; `propertyIds` are the properties a steward or manager looks after. */
  const personToken = (roles: string[], tenantId?: string | null, propertyIds: string[] = []) =>
    signDevToken(
      { subject: `it-${roles.join('-')}-${tenantId ?? 'platform'}`, roles, tenantId, propertyIds },
      { key: harness.devTokenKey, issuer: config.authIssuer, audience: config.authAudience },
    );

  /** `Authorization` for a person with `roles` (operators: no tenant). */
  async function asPerson(roles: string[], tenantId?: string | null): Promise<Record<string, string>> {
    return { authorization: `Bearer ${await personToken(roles, tenantId)}` };
  }

  const asNotification = (): Record<string, string> => ({
    authorization: `Bearer ${harness.notificationToken}`,
    [SERVICE_NAME_HEADER]: 'notification',
  });

  async function request(
    method: string,
    path: string,
    options: { headers?: Record<string, string>; body?: unknown } = {},
  ): Promise<HttpAnswer> {
    const res = await fetch(`${service.url}${path}`, {
      method,
      headers: {
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await res.text();
    let body: Json;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined; // not JSON (a test may be checking exactly that)
    }
    return { status: res.status, headers: res.headers, text, body };
  }

  return {
    url: service.url,
    /** The harness under the app: collected case events (watch), other topics, more instances. */
    harness,
    config,
    pg,
    spans,
    log: harness.log,
    metrics: async () => (await fetch(`${service.url}/metrics`)).text(),
    publish,
    processed: (eventId: string) => harness.processed(eventId),
    openCase,
    personToken,
    asPerson,
    asNotification,
    request,
    // also shuts tracing down (bootstrapService's afterClose) and drops the database
    close: () => harness.stop(),
  };
}
