import { AuthError, type Principal } from '@portico/auth';
import type { EntityManager } from 'typeorm';
import type { UnitOfWork } from '@portico/service-kit';
import { aCase, FIXTURE_PARCEL_ID, FIXTURE_TIME } from '../test-support/a-case';
import type { CaseTransition } from './case';
import { CaseNotFoundError } from './case-errors';
import { CaseQueriesService } from './case-queries.service';
import { listCasesQuery } from './case-view';
import type { CaseRepository } from './case.repository';

const PARCEL_ID = FIXTURE_PARCEL_ID;
const T = FIXTURE_TIME;

const ID_A = `cc_${'a'.repeat(32)}`;
const ID_B = `cc_${'b'.repeat(32)}`;

function setup() {
  const cases = [aCase(ID_A, 'ten_a'), aCase(ID_B, 'ten_b')];
  const history: CaseTransition[] = [
    { caseId: ID_A, from: null, to: 'opened', at: T, cause: 'customs_hold', causeEventId: 'evt-1' },
    {
      caseId: ID_A,
      from: 'opened',
      to: 'awaiting_documents',
      at: T,
      cause: 'customs_hold',
      causeEventId: 'evt-1',
    },
    { caseId: ID_B, from: null, to: 'opened', at: T, cause: 'customs_hold', causeEventId: 'evt-2' },
  ];
  const repo = {
    findByParcel: jest.fn(async () => cases),
    findById: jest.fn(async (_m: EntityManager, id: string) => cases.find((c) => c.id === id)),
    historyOf: jest.fn(async (_m: EntityManager, ids: readonly string[]) =>
      history.filter((h) => ids.includes(h.caseId)),
    ),
  };
  const uow = { read: <T>(work: (m: EntityManager) => Promise<T>) => work({} as EntityManager) };
  return {
    repo,
    service: new CaseQueriesService(uow as unknown as UnitOfWork, repo as unknown as CaseRepository),
  };
}

const steward = (tenantId: string): Principal => ({
  kind: 'person',
  subject: 'stf_1',
  roles: ['steward'],
  tenantId,
  propertyIds: ['prop_1'],
});
const operator: Principal = {
  kind: 'person',
  subject: 'op',
  roles: ['operator'],
  tenantId: null,
  propertyIds: [],
};
const notification: Principal = { kind: 'service', name: 'notification' };

describe('CaseQueriesService', () => {
  it("lists a parcel's cases the caller may see, with documents, sides and history", async () => {
    const { service } = setup();
    const [view, ...others] = await service.listByParcel(steward('ten_a'), { parcelId: PARCEL_ID });
    expect(others).toHaveLength(0);
    expect(view).toEqual({
      id: ID_A,
      tenantId: 'ten_a',
      parcelId: PARCEL_ID,
      carrierCode: 'sf-express',
      trackingNumber: 'SF1',
      holdReason: 'id_documents_required',
      state: 'awaiting_documents',
      open: true,
      requiredDocuments: [{ type: 'resident_id_card', sides: ['front', 'back'] }],
      documentsRound: 1,
      deadline: '2026-11-27T06:00:00.000Z',
      deadlineSource: 'policy',
      expedited: false,
      expediteReasons: [],
      origin: 'tracking_event',
      policyId: 'pol_default_cn',
      triggerEventId: 'evt-1',
      holdOccurredAt: T.toISOString(),
      openedAt: T.toISOString(),
      updatedAt: T.toISOString(),
      closedAt: null,
      version: 1,
      propertyId: null,
      ackDueAt: new Date(T.getTime() + 2 * 3_600_000).toISOString(),
      acknowledgedAt: null,
      ackSlaBreachedAt: null,
      documentsReceivedAt: null,
      documentsChannel: null,
      history: [
        { from: null, to: 'opened', at: T.toISOString(), cause: 'customs_hold', causeEventId: 'evt-1' },
        {
          from: 'opened',
          to: 'awaiting_documents',
          at: T.toISOString(),
          cause: 'customs_hold',
          causeEventId: 'evt-1',
        },
      ],
    });
    expect(JSON.stringify(view)).not.toContain('k1'); // the name digest stays internal
  });

  it('shows operators and internal services every tenant', async () => {
    const { service } = setup();
    expect((await service.listByParcel(operator, { parcelId: PARCEL_ID })).map((c) => c.id)).toEqual([
      ID_A,
      ID_B,
    ]);
    expect(await service.listByParcel(notification, { parcelId: PARCEL_ID })).toHaveLength(2);
  });

  it('answers one case, 403 for another tenant, 404 for unknown or malformed ids without a lookup', async () => {
    const { service, repo } = setup();
    expect((await service.get(steward('ten_b'), ID_B)).history).toHaveLength(1);
    await expect(service.get(steward('ten_a'), ID_B)).rejects.toMatchObject({
      code: 'tenant_mismatch',
      constructor: AuthError,
    });
    await expect(service.get(steward('ten_a'), `cc_${'c'.repeat(32)}`)).rejects.toBeInstanceOf(
      CaseNotFoundError,
    );
    repo.findById.mockClear();
    const error = await service.get(steward('ten_a'), '王芳 13800138000').catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'case_not_found',
      status: 404,
      localized: { en: expect.any(String), zh: expect.any(String) },
    });
    expect(JSON.stringify(error)).not.toContain('13800138000');
    expect(repo.findById).not.toHaveBeenCalled();
  });

  it('validates the parcel id of a list query', () => {
    expect(listCasesQuery.safeParse({ parcelId: PARCEL_ID }).success).toBe(true);
    expect(listCasesQuery.safeParse({ parcelId: 'SF1234567890' }).success).toBe(false);
    expect(listCasesQuery.safeParse({}).success).toBe(false);
  });
});
