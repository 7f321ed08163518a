import type { EntityManager } from 'typeorm';
import { consentWithdrawals, DirectoryHooks, type Consent } from './consent-changes';

const all: Consent = { sms: true, email: true, wecom: true };
const none: Consent = { sms: false, email: false, wecom: false };

describe('consentWithdrawals', () => {
  it('names the channels that went from yes to no, per resident', () => {
    const before = new Map<string, Consent>([
      ['res_1', all],
      ['res_2', { sms: true, email: false, wecom: false }],
      ['res_3', none],
    ]);
    expect(
      consentWithdrawals(before, [
        { id: 'res_1', consent: { sms: false, email: true, wecom: false } },
        { id: 'res_2', consent: { sms: true, email: true, wecom: false } }, // granted more: nothing withdrawn
        { id: 'res_3', consent: none },
        { id: 'res_new', consent: none }, // new residents withdraw nothing
      ]),
    ).toEqual([{ residentId: 'res_1', channels: ['sms', 'wecom'] }]);
  });

  it('finds nothing when the same directory is imported again', () => {
    expect(consentWithdrawals(new Map([['res_1', none]]), [{ id: 'res_1', consent: none }])).toEqual([]);
  });
});

describe('DirectoryHooks', () => {
  it('calls listeners with the withdrawals, and none for an empty list', async () => {
    const hooks = new DirectoryHooks();
    const calls: unknown[] = [];
    hooks.onConsentWithdrawn(async (_m, tenantId, w) => {
      calls.push([tenantId, w]);
    });
    const m = {} as EntityManager;
    await hooks.consentWithdrawn(m, 'ten_1', [], new Date());
    await hooks.consentWithdrawn(m, 'ten_1', [{ residentId: 'res_1', channels: ['sms'] }], new Date());
    expect(calls).toEqual([['ten_1', [{ residentId: 'res_1', channels: ['sms'] }]]]);
  });
});
