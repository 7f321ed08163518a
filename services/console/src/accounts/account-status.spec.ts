import { Registry } from 'prom-client';
import type { Account } from './account';
import { accountStatusInput, parseAccountStatusArgs } from './account-status';
import { ConsoleMetrics } from '../shared/console-metrics';
import { LiveHub } from '../live/live-hub';
import { decodeSessionsEnded, encodeSessionsEnded } from '../live/live-fanout-message';

const parse = (...argv: string[]) => accountStatusInput.safeParse(parseAccountStatusArgs(argv));

describe('account-status input', () => {
  it('reads action, user name (normalised), reason code and actor', () => {
    expect(parse('disable', ' Li.Na ', '--reason', 'left_company', '--actor', 'stf_ops_1')).toMatchObject({
      success: true,
      data: { action: 'disable', username: 'li.na', reason: 'left_company', actor: 'stf_ops_1' },
    });
    expect(parse('enable', 'li.na', '--actor', 'OPS-1234', '--reason', 'returned').success).toBe(true);
  });

  it('refuses free-text reasons, e-mail addresses or names as actor, unknown actions', () => {
    expect(parse('disable', 'li.na', '--reason', 'she left', '--actor', 'stf_ops_1').success).toBe(false);
    expect(parse('disable', 'li.na', '--reason', 'other', '--actor', 'wang@corp.example').success).toBe(false);
    expect(parse('disable', 'li.na', '--reason', 'other', '--actor', 'Wang Fang').success).toBe(false);
    expect(parse('delete', 'li.na', '--reason', 'other', '--actor', 'stf_ops_1').success).toBe(false);
    expect(parseAccountStatusArgs(['disable', 'x', '--force', 'y'])).toMatchObject({ unknown: '--force' });
  });
});

describe('ending an account’s live streams', () => {
  const account = (id: string): Account => ({ id, username: id, subject: `stf_${id}`, roles: ['steward'], tenantId: 't', propertyIds: ['p'] });

  it('closes every stream of that account and no other, and counts them', async () => {
    const registry = new Registry();
    const hub = new LiveHub(new ConsoleMetrics(registry));
    const ended: string[] = [];
    hub.subscribe(account('acc_1'), () => undefined, () => ended.push('a1'));
    hub.subscribe(account('acc_1'), () => undefined, () => ended.push('a2'));
    hub.subscribe(account('acc_2'), () => undefined, () => ended.push('b'));
    expect(hub.endAccount('acc_1')).toBe(2);
    expect(ended).toEqual(['a1', 'a2']);
    expect(hub.endAccount('acc_1')).toBe(0);
    expect(await registry.getSingleMetricAsString('portico_console_live_streams')).toMatch(/portico_console_live_streams 1/);
    expect(await registry.getSingleMetricAsString('portico_console_live_streams_closed_total')).toContain('reason="account_disabled"} 2');
  });

  it('reads the notice: the account id only', () => {
    expect(decodeSessionsEnded(encodeSessionsEnded('acc_1'))).toBe('acc_1');
    for (const bad of [undefined, 'x', '{}', JSON.stringify({ accountId: 'acc_1', username: 'li.na' })]) expect(decodeSessionsEnded(bad)).toBeNull();
  });
});
