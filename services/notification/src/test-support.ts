// Shared fixtures for this service's unit specs (not loaded by the application).
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@portico/observability';
import type { PropertyRecord, ResidentRecord, RotaEntry } from './directory/directory.types';

export const DIGEST_KEYS = [
  { id: 'k2', secret: 'digest-key-two-0123456789-abcdefghijklmnop' },
  { id: 'k1', secret: 'digest-key-one-0123456789-abcdefghijklmnop' },
];

/** A pino logger writing to memory, with the service's redaction, so specs can scan what was logged. */
export function memoryLogger(): { logger: Logger; text: () => string } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return {
    logger: createLogger({ serviceName: 'notification-spec', destination, level: 'debug' }),
    text: () => lines.join(''),
  };
}

export function property(overrides: Partial<PropertyRecord> = {}): PropertyRecord {
  return {
    id: 'prop_a',
    tenantId: 'ten_1',
    name: 'Harbour Tower A',
    countryCode: 'CN',
    region: 'Shanghai',
    city: 'Shanghai',
    district: 'Pudong',
    postalCodeNorm: '200120',
    addressLineNorm: '88centuryavenuetowera',
    defaultLanguage: 'zh',
    timeZone: 'Asia/Shanghai',
    residentOutreach: 'steward_only',
    quietHours: null,
    ...overrides,
  };
}

export function resident(overrides: Partial<ResidentRecord> = {}): ResidentRecord {
  return {
    id: 'res_1',
    tenantId: 'ten_1',
    propertyId: 'prop_a',
    unitId: 'unit_1203',
    unitLabelNorm: '1203',
    name: '李伟',
    phone: '13912345678',
    language: 'zh',
    ...overrides,
  };
}

export function rota(overrides: Partial<RotaEntry> = {}): RotaEntry {
  return {
    staffId: 'stf_steward',
    role: 'steward',
    language: 'zh',
    onDuty: true,
    priority: 100,
    weekdays: null,
    startsAt: null,
    endsAt: null,
    ...overrides,
  };
}
