import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Logger } from '@portico/observability';
import { ZodError } from 'zod';
import { DomainError, type LocalizedMessage } from './domain-error';

export interface ErrorBody {
  error: { code: string; message: LocalizedMessage; details?: Record<string, unknown> };
}

export interface MappedError {
  status: number;
  body: ErrorBody;
  /** Server-side failures are logged with the full error; client errors are already in the request log. */
  log: boolean;
}

const GENERIC: Record<number, { code: string } & LocalizedMessage> = {
  400: { code: 'bad_request', en: 'The request is invalid.', zh: '请求无效。' },
  401: { code: 'unauthorized', en: 'Authentication is required.', zh: '需要身份验证。' },
  403: { code: 'forbidden', en: 'You are not allowed to do this.', zh: '您无权执行此操作。' },
  404: { code: 'not_found', en: 'Not found.', zh: '未找到。' },
  405: { code: 'method_not_allowed', en: 'This method is not allowed here.', zh: '不支持该请求方法。' },
  406: {
    code: 'not_acceptable',
    en: 'No acceptable representation is available.',
    zh: '无法提供可接受的响应格式。',
  },
  408: { code: 'request_timeout', en: 'The request took too long.', zh: '请求超时。' },
  409: { code: 'conflict', en: 'The request conflicts with the current state.', zh: '请求与当前状态冲突。' },
  410: { code: 'gone', en: 'This resource is no longer available.', zh: '该资源已不可用。' },
  413: { code: 'payload_too_large', en: 'The request body is too large.', zh: '请求体过大。' },
  415: {
    code: 'unsupported_media_type',
    en: 'This content type is not supported.',
    zh: '不支持该内容类型。',
  },
  422: { code: 'unprocessable_entity', en: 'The request could not be processed.', zh: '无法处理该请求。' },
  429: {
    code: 'too_many_requests',
    en: 'Too many requests. Please try again later.',
    zh: '请求过于频繁，请稍后再试。',
  },
  500: {
    code: 'internal_error',
    en: 'Something went wrong on our side. Please try again later.',
    zh: '服务器内部错误，请稍后再试。',
  },
  502: {
    code: 'bad_gateway',
    en: 'An upstream service failed. Please try again later.',
    zh: '上游服务出错，请稍后再试。',
  },
  503: {
    code: 'service_unavailable',
    en: 'The service is unavailable. Please try again later.',
    zh: '服务暂不可用，请稍后再试。',
  },
  504: {
    code: 'gateway_timeout',
    en: 'An upstream service did not answer in time.',
    zh: '上游服务响应超时。',
  },
};

/** Fastify's own request errors (raised before a handler runs), with stable codes of ours. */
const FASTIFY: Record<string, { status: number; code: string } & LocalizedMessage> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, ...GENERIC[413] },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, ...GENERIC[415] },
  FST_ERR_CTP_EMPTY_TYPE: { status: 415, ...GENERIC[415] },
  FST_ERR_CTP_INVALID_TYPE: { status: 415, ...GENERIC[415] },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    code: 'invalid_json',
    en: 'The request body is not valid JSON.',
    zh: '请求体不是有效的 JSON。',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: 'empty_json_body',
    en: 'The request body is empty although its content type is JSON.',
    zh: '请求体为空，但内容类型声明为 JSON。',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'invalid_content_length',
    en: 'The Content-Length header does not match the body.',
    zh: 'Content-Length 与请求体长度不一致。',
  },
};

const VALIDATION: LocalizedMessage = { en: 'The request failed validation.', zh: '请求未通过校验。' };

function generic(status: number): { code: string } & LocalizedMessage {
  return GENERIC[status] ?? (status >= 500 ? GENERIC[500] : { ...GENERIC[400], code: `http_${status}` });
}

function body(code: string, message: LocalizedMessage, details?: Record<string, unknown>): ErrorBody {
  return { error: { code, message: { en: message.en, zh: message.zh }, ...(details ? { details } : {}) } };
}

function isZodError(e: unknown): e is ZodError {
  return (
    e instanceof ZodError ||
    (e instanceof Error && e.name === 'ZodError' && Array.isArray((e as ZodError).issues))
  );
}

function enveloped(response: unknown): ErrorBody | undefined {
  const e = (response as Partial<ErrorBody> | null)?.error;
  if (
    !e ||
    typeof e.code !== 'string' ||
    typeof e.message?.en !== 'string' ||
    typeof e.message?.zh !== 'string'
  )
    return undefined;
  const details = e.details && typeof e.details === 'object' ? e.details : undefined;
  return body(e.code, e.message, details);
}

function statusOf(e: unknown): number | undefined {
  const status =
    (e as { statusCode?: unknown; status?: unknown } | null)?.statusCode ??
    (e as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status <= 599 ? status : undefined;
}

/**
 * The one mapping from thrown errors to API responses. Client-visible text comes only from
 * DomainError, validation issue paths, or the fixed tables above, so an unexpected error can never
 * carry internal details or personal data to a client.
 */
export function mapError(error: unknown, options: { bodyLimitBytes?: number } = {}): MappedError {
  if (error instanceof DomainError) {
    return {
      status: error.status,
      body: body(error.code, error.localized, error.details),
      log: error.status >= 500,
    };
  }
  if (isZodError(error)) {
    // Paths, codes and zod's own messages only: zod never puts the rejected input in its messages.
    const issues = error.issues.map((i) => ({
      path: i.path.map(String).join('.'),
      code: i.code,
      message: i.message,
    }));
    return { status: 400, body: body('validation_failed', VALIDATION, { issues }), log: false };
  }
  const fastifyCode = (error as { code?: unknown } | null)?.code;
  if (typeof fastifyCode === 'string' && fastifyCode in FASTIFY) {
    const { status, code, en, zh } = FASTIFY[fastifyCode];
    const details =
      status === 413 && options.bodyLimitBytes ? { limitBytes: options.bodyLimitBytes } : undefined;
    return { status, body: body(code, { en, zh }, details), log: false };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    // Exceptions built to be shown (libs/auth's AuthError) already carry the envelope: keep their code and text.
    const shaped = enveloped(error.getResponse());
    if (shaped) return { status, body: shaped, log: status >= 500 };
    const { code, en, zh } = generic(status);
    return { status, body: body(code, { en, zh }), log: status >= 500 };
  }
  const status = statusOf(error);
  if (status !== undefined && status < 500) {
    const { code, en, zh } = generic(status);
    return { status, body: body(code, { en, zh }), log: false };
  }
  const { code, en, zh } = GENERIC[500];
  return { status: 500, body: body(code, { en, zh }), log: true };
}

interface FastifyLikeReply {
  code(status: number): FastifyLikeReply;
  header(name: string, value: string): FastifyLikeReply;
  send(payload: string): unknown;
  sent?: boolean;
}

interface RawResponse {
  headersSent?: boolean;
  statusCode: number;
  setHeader(name: string, value: string): void;
  end(payload: string): void;
}

/** Global filter: every error leaves the service in the `{ error: { code, message: { en, zh }, details? } }` shape. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  constructor(
    private readonly logger?: Logger,
    private readonly options: { bodyLimitBytes?: number } = {},
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const mapped = mapError(exception, this.options);
    if (mapped.log) this.logger?.error({ err: exception, status: mapped.status }, 'request failed');
    if (host.getType() !== 'http') throw exception;
    const response = host.switchToHttp().getResponse<FastifyLikeReply | RawResponse>();
    const payload = JSON.stringify(mapped.body);
    if (
      typeof (response as FastifyLikeReply).code === 'function' &&
      typeof (response as FastifyLikeReply).send === 'function'
    ) {
      const reply = response as FastifyLikeReply;
      if (reply.sent) return;
      reply.code(mapped.status).header('content-type', 'application/json; charset=utf-8').send(payload);
      return;
    }
    const raw = response as RawResponse;
    if (raw.headersSent) return;
    raw.statusCode = mapped.status;
    raw.setHeader('content-type', 'application/json; charset=utf-8');
    raw.end(payload);
  }
}
