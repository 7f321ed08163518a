import {
  BadRequestException,
  HttpException,
  NotFoundException,
  UnauthorizedException,
  type ArgumentsHost,
} from '@nestjs/common';
import { z } from 'zod';
import { ConflictError, DomainError } from './domain-error';
import { ApiExceptionFilter, mapError } from './error-filter';

class CaseClosedError extends DomainError {
  constructor(caseId: string) {
    super({
      code: 'case_closed',
      status: 409,
      message: { en: 'This case is already closed.', zh: '该案件已关闭。' },
      details: { caseId },
    });
  }
}

function fastifyError(code: string, statusCode: number, message: string) {
  return Object.assign(new Error(message), { code, statusCode });
}

describe('mapError', () => {
  it('maps a DomainError to its status, code, both messages and details', () => {
    expect(mapError(new CaseClosedError('c-1'))).toEqual({
      status: 409,
      log: false,
      body: {
        error: {
          code: 'case_closed',
          message: { en: 'This case is already closed.', zh: '该案件已关闭。' },
          details: { caseId: 'c-1' },
        },
      },
    });
    expect(mapError(new ConflictError('dup', { en: 'Duplicate.', zh: '重复。' })).status).toBe(409);
  });

  it('maps a zod error to 400 validation_failed with issue paths, never the rejected input', () => {
    const schema = z.object({
      waybill: z.string().min(5),
      resident: z.object({ phone: z.string().regex(/^\d{11}$/) }),
    });
    const result = schema.safeParse({ waybill: 'x', resident: { phone: 'call me 13812345678!' } });
    const mapped = mapError(result.error);
    expect(mapped.status).toBe(400);
    expect(mapped.body.error.code).toBe('validation_failed');
    expect(mapped.body.error.message.zh).toBeTruthy();
    const issues = (mapped.body.error.details as { issues: { path: string }[] }).issues;
    expect(issues.map((i) => i.path)).toEqual(['waybill', 'resident.phone']);
    expect(JSON.stringify(mapped.body)).not.toContain('13812345678');
  });

  it.each([
    ['FST_ERR_CTP_BODY_TOO_LARGE', 413, 'payload_too_large'],
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'unsupported_media_type'],
    ['FST_ERR_CTP_INVALID_JSON_BODY', 400, 'invalid_json'],
    ['FST_ERR_CTP_EMPTY_JSON_BODY', 400, 'empty_json_body'],
    ['FST_ERR_CTP_INVALID_CONTENT_LENGTH', 400, 'invalid_content_length'],
  ])('maps Fastify %s to %i %s', (code, status, ourCode) => {
    const mapped = mapError(fastifyError(code, status, 'Fastify text'), { bodyLimitBytes: 1_048_576 });
    expect(mapped.status).toBe(status);
    expect(mapped.body.error.code).toBe(ourCode);
    expect(mapped.body.error.message.en).not.toContain('Fastify text');
    if (status === 413) expect(mapped.body.error.details).toEqual({ limitBytes: 1_048_576 });
  });

  it('maps Nest HTTP exceptions by status with fixed text', () => {
    expect(mapError(new NotFoundException('Cannot GET /upload/secret-token')).body).toEqual({
      error: { code: 'not_found', message: { en: 'Not found.', zh: '未找到。' } },
    });
    expect(mapError(new UnauthorizedException()).body.error.code).toBe('unauthorized');
    expect(mapError(new BadRequestException('internal detail')).body.error.message.en).toBe(
      'The request is invalid.',
    );
  });

  it('keeps the envelope of exceptions built to be shown (libs/auth)', () => {
    const authLike = new HttpException(
      { error: { code: 'token_expired', message: { en: 'Expired.', zh: '已过期。' } } },
      401,
    );
    expect(mapError(authLike)).toEqual({
      status: 401,
      log: false,
      body: { error: { code: 'token_expired', message: { en: 'Expired.', zh: '已过期。' } } },
    });
  });

  it('answers anything else with a generic 500 that carries no internal detail or personal data', () => {
    const error = new Error(
      'duplicate key value violates unique constraint "residents_id_number" Key (id_number)=(11010519491231002X)',
    );
    const mapped = mapError(error);
    expect(mapped.status).toBe(500);
    expect(mapped.log).toBe(true);
    expect(mapped.body).toEqual({
      error: {
        code: 'internal_error',
        message: {
          en: 'Something went wrong on our side. Please try again later.',
          zh: '服务器内部错误，请稍后再试。',
        },
      },
    });
    expect(mapError('a string').status).toBe(500);
    expect(mapError(undefined).status).toBe(500);
    expect(mapError(Object.assign(new Error('x'), { statusCode: 502 })).status).toBe(500);
  });
});

describe('ApiExceptionFilter', () => {
  function host(response: unknown): ArgumentsHost {
    return {
      getType: () => 'http',
      switchToHttp: () => ({ getResponse: () => response, getRequest: () => ({}) }),
    } as unknown as ArgumentsHost;
  }

  it('writes the mapped error to a Fastify reply and logs server errors only', () => {
    const sent: unknown[] = [];
    const reply = {
      sent: false,
      code: jest.fn().mockReturnThis(),
      header: jest.fn().mockReturnThis(),
      send: jest.fn((p: string) => sent.push(JSON.parse(p))),
    };
    const logger = { error: jest.fn() };
    const filter = new ApiExceptionFilter(logger as never);
    filter.catch(new CaseClosedError('c-9'), host(reply));
    expect(reply.code).toHaveBeenCalledWith(409);
    expect(reply.header).toHaveBeenCalledWith('content-type', 'application/json; charset=utf-8');
    expect(logger.error).not.toHaveBeenCalled();
    filter.catch(new TypeError('boom'), host(reply));
    expect(reply.code).toHaveBeenLastCalledWith(500);
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(sent[1]).toMatchObject({ error: { code: 'internal_error' } });
  });

  it('writes to a raw Node response as well (errors raised in middleware)', () => {
    const raw = { statusCode: 200, headersSent: false, setHeader: jest.fn(), end: jest.fn() };
    new ApiExceptionFilter().catch(new NotFoundException(), host(raw));
    expect(raw.statusCode).toBe(404);
    expect(JSON.parse(raw.end.mock.calls[0][0])).toMatchObject({ error: { code: 'not_found' } });
  });
});
