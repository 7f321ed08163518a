import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import { REDACTED, SENSITIVE_HEADER_PATTERN, personalDataCensor, scrubPersonalData } from './pii';
import { currentTraceIds } from './trace-context';

export type { Logger } from 'pino';

export interface LoggerOptions {
  serviceName: string;
  level?: LevelWithSilent;
  /** Where JSON lines go; stdout by default. Tests pass a memory stream. */
  destination?: DestinationStream;
  /** Further field names to censor wherever they appear. */
  redactKeys?: readonly string[];
}

/**
 * Every line passes through both layers on its way out: personal-data keys and credential headers
 * are censored wherever they sit (personalDataCensor), then an ID or phone number that slipped into
 * a message, an error or a stack trace is masked no matter which field it ended up in.
 */
export function scrubbingStream(
  target: DestinationStream,
  extraKeys: readonly string[] = [],
): DestinationStream {
  const censor = personalDataCensor(extraKeys);
  return {
    write(line: string) {
      return target.write(scrubPersonalData(censor(line)));
    },
  };
}

/** JSON logger: level as text, ISO time, service name, trace ids of the active span, personal data censored. */
export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? pino.destination({ dest: 1, sync: true });
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.serviceName, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => currentTraceIds() ?? {},
      // no pino `redact`: scrubbingStream censors the keys (see personalDataCensor for why)
      serializers: { err: pino.stdSerializers.err },
    },
    scrubbingStream(destination, options.redactKeys),
  );
}

/**
 * The query string may carry tokens (one-time links, signatures): request logs keep the path only,
 * and path segments that are bearer secrets (id-vault's upload, view and grant links put a 43-char
 * base64url token in the path) are replaced by `:secret`.
 */
export function pathWithoutQuery(url: string | undefined): string {
  if (!url) return '';
  const q = url.indexOf('?');
  return redactSecretSegments(q === -1 ? url : url.slice(0, q));
}

/** 32 random bytes as base64url: the shape of every Portico link secret. Ids (`doc_…`) never match. */
const SECRET_SEGMENT = /(^|\/)[A-Za-z0-9_-]{43}(?=\/|$)/g;

export function redactSecretSegments(path: string): string {
  return path.replace(SECRET_SEGMENT, '$1:secret');
}

function safeHeaders(headers: IncomingMessage['headers'] | Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = SENSITIVE_HEADER_PATTERN.test(name) ? REDACTED : value;
  }
  return out;
}

/** pino-http serializers: method, path and headers with credentials and signatures censored. */
export const httpSerializers = {
  req(req: {
    id?: unknown;
    method?: string;
    url?: string;
    headers?: Record<string, unknown>;
    raw?: IncomingMessage;
  }) {
    const raw = (req.raw ?? req) as IncomingMessage & { originalUrl?: string };
    return {
      id: req.id,
      method: raw.method ?? req.method,
      // Behind Nest middleware on Fastify, url is relative to the mount point; originalUrl is the full one.
      path: pathWithoutQuery(raw.originalUrl ?? raw.url ?? req.url),
      headers: safeHeaders((raw.headers ?? req.headers ?? {}) as Record<string, unknown>),
    };
  },
  res(res: { statusCode?: number; raw?: ServerResponse }) {
    const raw = res.raw ?? (res as unknown as ServerResponse);
    return { statusCode: raw.statusCode ?? res.statusCode };
  },
};
