import { Writable } from 'node:stream';
import { createLogger } from './logger';
import { httpSerializers, pathWithoutQuery, redactSecretSegments } from './logger';

/** Collects every line the logger writes. */
function memory() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => lines.join(''), records: () => lines.map((l) => JSON.parse(l)) };
}

// Seeded personal data: none of it may appear in the output, in any field, at any depth.
const PII = {
  name: '张伟',
  otherName: 'Li Na',
  idNumber: '11010519491231002X',
  idNumber2: '440524188001010014',
  oldId: '110105491231002',
  phone: '13812345678',
  phoneIntl: '+86 139-8765-4321',
  phoneSpaced: '150 1234 5678',
  documentNumber: 'E12345678',
  image: 'data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD',
  bearer: 'Bearer eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.sig',
  cookie: 'session=abc123secretcookie',
  signature: 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
  aftership: 'aftership-hmac-value-123',
};

describe('createLogger redaction', () => {
  it('keeps every seeded personal value and credential out of the output', () => {
    const out = memory();
    const logger = createLogger({ serviceName: 'test', destination: out.stream, level: 'trace' });

    logger.info(
      {
        resident: { name: PII.name, phone: PII.phone, idNumber: PII.idNumber },
        document: { documentNumber: PII.documentNumber, image: PII.image },
      },
      'document uploaded',
    );
    logger.info({ a: { b: { c: { d: { name: PII.otherName, phone: PII.phone } } } } }, 'deeply nested');
    logger.info({ name: PII.name, idNumber: PII.idNumber2 }, 'top level');
    logger.warn(`resident called from ${PII.phone} about ID ${PII.idNumber}, old card ${PII.oldId}`);
    logger.warn(`联系电话${PII.phoneIntl}，身份证号码${PII.idNumber2}，备用 ${PII.phoneSpaced}`);
    logger.error(
      { err: new Error(`validation failed for ${PII.idNumber} (${PII.phone})`) },
      'upload rejected',
    );
    logger.info(
      {
        req: {
          method: 'POST',
          url: '/webhooks/aftership',
          headers: {
            authorization: PII.bearer,
            cookie: PII.cookie,
            'webhook-signature': PII.signature,
            'x-aftership-hmac-sha256': PII.aftership,
          },
        },
      },
      'request completed',
    );
    logger.info(
      { note: { text: `free text mentioning ${PII.idNumber}` }, list: [PII.phone] },
      'arrays and free text',
    );

    const text = out.text();
    for (const [label, value] of Object.entries(PII)) {
      expect({ label, leaked: text.includes(value) }).toEqual({ label, leaked: false });
    }
    expect(text).toContain('[redacted]');
    expect(text).toContain('[id-number]');
    expect(text).toContain('[phone]');
    // Still useful: the messages and non-personal fields survive.
    expect(text).toContain('document uploaded');
    expect(text).toContain('/webhooks/aftership');
  });

  it('censors keys where the old per-depth paths did not reach: deeper, in arrays, in instances, on errors, in child bindings, extra keys', () => {
    const out = memory();
    const logger = createLogger({
      serviceName: 'test',
      destination: out.stream,
      level: 'trace',
      redactKeys: ['licencePlate'],
    });
    class Resident {
      constructor(
        readonly id: string,
        readonly phone: string,
      ) {}
    }
    const error = Object.assign(new Error('lookup failed'), { idNumber: PII.idNumber });
    logger.info({ a: { b: { c: { d: { e: { f: { name: PII.otherName } } } } } } }, 'six deep');
    logger.info({ batch: [{ recipient: { phone: PII.phone } }, [{ address: PII.name }]] }, 'arrays');
    logger.info({ resident: new Resident('r_1', PII.phoneSpaced) }, 'instance');
    logger.error({ err: error }, 'failed');
    logger.child({ caller: { name: PII.name } }).info({ licencePlate: '沪A12345' }, 'child');

    const text = out.text();
    for (const value of [PII.otherName, PII.phone, PII.name, PII.phoneSpaced, PII.idNumber, '沪A12345']) {
      expect({ value, leaked: text.includes(value) }).toEqual({ value, leaked: false });
    }
    const records = out.records();
    expect(records[2].resident).toEqual({ id: 'r_1', phone: '[redacted]' });
    expect(records[3].err).toMatchObject({ message: 'lookup failed', idNumber: '[redacted]' });
  });

  it('censors credential headers through the pino-http request serializer, and drops the query string', () => {
    const out = memory();
    const logger = createLogger({ serviceName: 'test', destination: out.stream });
    const req = httpSerializers.req({
      id: 'r1',
      method: 'GET',
      url: '/upload/abc?token=one-time-secret',
      headers: { authorization: PII.bearer, 'x-custom-signature': PII.signature, 'user-agent': 'curl' },
    });
    logger.info({ req }, 'request completed');
    const text = out.text();
    expect(text).not.toContain('one-time-secret');
    expect(text).not.toContain(PII.bearer);
    expect(text).not.toContain(PII.signature);
    expect(out.records()[0].req).toMatchObject({ path: '/upload/abc', headers: { 'user-agent': 'curl' } });
  });

  it('replaces link secrets in request paths, and leaves ids and ordinary segments alone', () => {
    const secret = 'rd9Ke9J5x8f4pCP2gEmu0PFGTyOcHYdhYOl2taktrq8'; // 32 bytes, base64url: 43 characters
    expect(pathWithoutQuery(`/u/${secret}`)).toBe('/u/:secret');
    expect(pathWithoutQuery(`/u/${secret}/documents?lang=zh`)).toBe('/u/:secret/documents');
    expect(pathWithoutQuery(`/v1/relay-grants/${secret}`)).toBe('/v1/relay-grants/:secret');
    expect(pathWithoutQuery('/v1/documents/doc_01a2356e7b5d746a8c3f1b854d502c35/approve')).toBe(
      '/v1/documents/doc_01a2356e7b5d746a8c3f1b854d502c35/approve',
    );
    expect(redactSecretSegments(`/x/${secret}a`)).toBe(`/x/${secret}a`); // 44 characters: not a link secret
  });

  it('writes JSON lines with level label, ISO time and service name', () => {
    const out = memory();
    createLogger({ serviceName: 'clearance', destination: out.stream }).info({ caseId: 'c-1' }, 'hello');
    const [record] = out.records();
    expect(record).toMatchObject({ level: 'info', service: 'clearance', caseId: 'c-1', msg: 'hello' });
    expect(new Date(record.time).toISOString()).toBe(record.time);
    expect(record.trace_id).toBeUndefined();
  });
});
