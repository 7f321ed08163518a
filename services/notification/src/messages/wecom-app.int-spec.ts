// WeCom app messages to residents on NotificationHarness (the service as in production on the real
// broker and Postgres; SimulatedWeComApp stands in for WeCom's app API, SimulatedVaultUploadLinks
// for id-vault): a resident who consented to WeCom and prefers it gets the documents message with
// the upload link as a text app message; the message is delivered on `wecom_app`, the events say
// WECOM, and neither the WeCom user id nor the name reaches logs or events.
import { randomBytes } from 'node:crypto';
import { notification } from '@portico/contracts';
import { waitFor } from '@portico/testing';
import { SimulatedWeComApp } from '../channels/test-support/simulated-wecom-app';
import { NotificationHarness, uniqueResident } from '../it-harness';
import { SimulatedVaultUploadLinks } from './test-support/simulated-vault-upload-links';

const VAULT_TOKEN = `vault-${randomBytes(16).toString('hex')}`;

describe('notification: WeCom app messages to residents (real Kafka + Postgres + SimulatedWeComApp)', () => {
  const vault = new SimulatedVaultUploadLinks(VAULT_TOKEN);
  const person = { ...uniqueResident(), unit: '9-01' };
  const wecomUser = `res.${randomBytes(4).toString('hex')}`;
  const appSecret = randomBytes(16).toString('hex');
  const app = new SimulatedWeComApp('ww-it-corp', appSecret, 1000007, new Set([wecomUser]));
  let h: NotificationHarness;

  beforeAll(async () => {
    await Promise.all([vault.start(), app.start()]);
    h = await NotificationHarness.start({
      OUTREACH_ACK_SLA_MS: '3600000',
      WECOM_APP_BASE_URL: app.url,
      WECOM_APP_CORP_ID: app.corpId,
      WECOM_APP_AGENT_ID: String(app.agentId),
      WECOM_APP_SECRET: appSecret,
      VAULT_INTERNAL_URL: vault.url,
      VAULT_SERVICE_TOKEN: VAULT_TOKEN,
      MESSAGE_WORKER_POLL_INTERVAL_MS: '100',
    });
    await h.importDirectory({
      tenant: { id: h.tenantId, name: `WeCom Residences ${h.run}` },
      properties: [
        {
          id: `prop_wc_${h.run}`,
          name: `WeCom Court ${h.run}`,
          address: {
            country: 'CN',
            region: 'Shanghai',
            city: 'Shanghai',
            district: 'Pudong',
            postalCode: '200120',
            addressLine: `${h.run} App Road`,
          },
          residentOutreach: 'direct',
          units: [
            {
              id: `unit_wc_${h.run}`,
              label: person.unit,
              residents: [
                {
                  id: `res_wc_${h.run}`,
                  name: person.name,
                  phone: person.phone,
                  wecomUserId: wecomUser,
                  language: 'zh',
                  consent: { sms: false, email: false, wecom: true },
                  channelPreferences: ['wecom'],
                },
              ],
            },
          ],
        },
      ],
      staff: [],
    });
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
    await Promise.all([vault.stop(), app.stop()]);
  }, 60_000);

  it('sends the documents message with its link as a WeCom app message, delivered', async () => {
    const { caseId, ref } = await h.openDocumentsTask(
      'WC1',
      person,
      { postalCode: '200120', addressLine: `${h.run} App Road` },
      { beforeRequest: (id) => vault.knowCase(id) },
    );
    const received = await waitFor(() => app.received.find((r) => r.touser === wecomUser), {
      timeoutMs: 30_000,
      description: 'the WeCom app message',
    });
    expect(received.content).toContain(person.name);
    expect(received.content).toContain(ref.trackingNumber);
    expect(received.content).toMatch(/https?:\/\/\S+\/u\/[A-Za-z0-9_-]+/);
    const row = await waitFor(
      async () => {
        const { rows } = await h.pg.query(
          `SELECT status, channel_plan FROM messages WHERE case_id = $1 AND recipient_role = 'resident'`,
          [caseId],
        );
        return rows[0]?.status === 'delivered' ? rows[0] : undefined;
      },
      { timeoutMs: 30_000, description: 'the message delivered' },
    );
    expect(row.channel_plan).toEqual(['wecom_app']);
    const events = await h.outreachEvents(new Set([ref.parcelId]), (found) =>
      found.some((f) => f.event.case === 'messageDelivered'),
    );
    const delivered = events.find((e) => e.event.case === 'messageDelivered')!;
    expect(delivered.event.value).toMatchObject({ channel: notification.Channel.WECOM });
    const everything =
      h.logs() +
      events
        .map((e) => JSON.stringify(e.event, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)))
        .join('');
    expect(everything).not.toContain(wecomUser);
    expect(everything).not.toContain(person.name);
  }, 90_000);
});
