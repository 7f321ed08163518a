import { ConflictError, BadRequestError } from '@portico/service-kit';
import type { EntityManager } from 'typeorm';
import { memoryLogger } from '../test-support';
import type { UnitOfWork } from '@portico/service-kit';
import { parseDirectoryImport } from './directory-import.schema';
import type { DirectoryRepository } from './directory.repository';
import { DirectoryService, toRows } from './directory.service';
import { DirectoryMetrics } from './directory.metrics';
import { Registry } from '@portico/observability';

const NAME = '陈静丽';

function body() {
  return parseDirectoryImport({
    tenant: { id: 'ten_1', name: 'Harbour Residences' },
    properties: [
      {
        id: 'prop_a',
        name: 'Tower A',
        address: {
          country: 'CN',
          city: '上海市',
          postalCode: '200 120',
          addressLine: '88 Century Avenue, Tower A',
        },
        units: [
          {
            id: 'unit_1',
            label: 'Flat 12-03',
            residents: [
              {
                id: 'res_1',
                name: NAME,
                phone: '13900001111',
                preRegisteredTrackingNumbers: [
                  { carrier: 'ems', trackingNumber: 'EA123' },
                  { carrier: 'EMS', trackingNumber: 'ea-123' },
                ],
              },
            ],
          },
          { id: 'unit_2', label: '12-04' },
        ],
      },
    ],
    staff: [
      {
        id: 'stf_1',
        name: 'Steward',
        role: 'steward',
        channel: { kind: 'email', address: 's@example.test' },
        propertyIds: ['prop_a', 'prop_old'],
        onDuty: true,
        priority: 300,
      },
    ],
  });
}

function fakeRepository(overrides: Partial<Record<keyof DirectoryRepository, jest.Mock>> = {}) {
  const echoIds = () =>
    jest.fn(async (_m: unknown, _t: unknown, rows: { id: string }[]) => rows.map((r) => r.id));
  const repo = {
    upsertTenant: jest.fn(async () => undefined),
    upsertProperties: echoIds(),
    upsertUnits: echoIds(),
    upsertResidents: echoIds(),
    consentOf: jest.fn(async () => new Map()),
    replacePreRegistrations: jest.fn(async () => undefined),
    upsertStaff: echoIds(),
    replaceStaffAssignments: jest.fn(async () => undefined),
    stampVersions: jest.fn(async () => undefined),
    propertyIdsOfTenant: jest.fn(async () => new Set(['prop_a', 'prop_old'])),
    ...overrides,
  };
  return repo;
}

const metrics = () => new DirectoryMetrics(new Registry());

const clock = () => new Date('2026-12-01T08:00:00.000Z');

const uow = {
  transaction: <T>(work: (m: EntityManager) => Promise<T>) => work({} as EntityManager),
  read: <T>(work: (m: EntityManager) => Promise<T>) => work({} as EntityManager),
} as UnitOfWork;

describe('DirectoryService', () => {
  it('turns the import into rows with comparison keys, default time zone and one rota row per property', () => {
    const rows = toRows(body());
    expect(rows.properties[0]).toMatchObject({
      countryCode: 'CN',
      cityNorm: '上海',
      postalCodeNorm: '200120',
      addressLineNorm: '88centuryavenuetowera',
      timeZone: 'Asia/Shanghai',
    });
    expect(rows.units.map((u) => u.labelNorm)).toEqual(['1203', '1204']);
    // the same number written twice is one registration
    expect(rows.preRegistrations).toHaveLength(1);
    expect(rows.residents[0]).toMatchObject({ email: null, wecomUserId: null, channelPreferences: [] });
    expect(rows.properties[0]).toMatchObject({
      residentOutreach: 'steward_only',
      quietHoursStart: null,
      quietHoursEnd: null,
    });
    expect(rows.rota).toEqual([
      { staffId: 'stf_1', propertyId: 'prop_a', onDuty: true, priority: 300 },
      { staffId: 'stf_1', propertyId: 'prop_old', onDuty: true, priority: 300 },
    ]);
  });

  it('upserts everything in one transaction and answers counts, logging no personal data', async () => {
    const repo = fakeRepository();
    const log = memoryLogger();
    const service = new DirectoryService(
      uow,
      repo as unknown as DirectoryRepository,
      metrics(),
      clock,
      log.logger,
    );
    await expect(service.importDirectory(body())).resolves.toEqual({
      tenantId: 'ten_1',
      properties: 1,
      units: 2,
      residents: 1,
      staff: 1,
    });
    expect(repo.replacePreRegistrations).toHaveBeenCalledWith(
      expect.anything(),
      'ten_1',
      ['res_1'],
      [expect.objectContaining({ residentId: 'res_1', carrierCode: 'ems', trackingNumber: 'EA123' })],
    );
    // what the import listed is stamped as of now for last-writer-wins against roster changes
    expect(repo.stampVersions).toHaveBeenCalledWith(
      expect.anything(),
      'ten_1',
      'resident',
      ['res_1'],
      clock(),
    );
    expect(repo.stampVersions).toHaveBeenCalledWith(
      expect.anything(),
      'ten_1',
      'duty',
      ['prop_a/stf_1', 'prop_old/stf_1'],
      clock(),
    );
    expect(log.text()).toContain('directory imported');
    expect(log.text()).not.toContain(NAME);
    expect(log.text()).not.toContain('13900001111');
  });

  it('refuses ids that belong to another tenant, naming the paths', async () => {
    const repo = fakeRepository({ upsertUnits: jest.fn(async () => ['unit_2']) });
    const service = new DirectoryService(
      uow,
      repo as unknown as DirectoryRepository,
      metrics(),
      clock,
      memoryLogger().logger,
    );
    const error = await service.importDirectory(body()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).details).toEqual({
      issues: [{ path: 'properties.0.units.0.id', code: 'id_owned_by_another_tenant' }],
    });
  });

  it('refuses staff assigned to properties the tenant does not have', async () => {
    const repo = fakeRepository({ propertyIdsOfTenant: jest.fn(async () => new Set(['prop_a'])) });
    const service = new DirectoryService(
      uow,
      repo as unknown as DirectoryRepository,
      metrics(),
      clock,
      memoryLogger().logger,
    );
    const error = await service.importDirectory(body()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).details).toEqual({
      issues: [{ path: 'staff.0.propertyIds.1', code: 'unknown_property' }],
    });
    expect(repo.upsertStaff).not.toHaveBeenCalled();
  });
});
