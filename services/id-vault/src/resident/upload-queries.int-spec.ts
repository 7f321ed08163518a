// How many round trips to Postgres one accepted upload costs (issue 6: "fewer queries per upload"),
// counted, not timed: every query the service's pg clients send from inside the upload request's
// async context (marked through the http server's diagnostics channel), so the pollers running
// beside it (timers, outbox relay) are not counted. The bound below fails if round trips come back.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { parcelRef } from '@portico/contracts';
import { Client } from 'pg';
import { cardPhoto } from '../checks/fixtures/synthetic-images';
import { seededPersonalData, startVault, tokenOf, type VaultHarness } from '../test-support/vault-harness';

const run = randomBytes(4).toString('hex');
const TENANT = `ten_vault_q_${run}`;
const PROPERTY = `prop_${run}`;
const { name: NAME, idNumber: ID_NUMBER } = seededPersonalData();

const inRequest = new AsyncLocalStorage<{ url: string }>();
const markRequest = (message: unknown) => {
  const url = (message as { request?: { url?: string } }).request?.url ?? '';
  inRequest.enterWith({ url });
};

type QueryFn = (...args: unknown[]) => unknown;

describe('queries per upload (real Postgres, counted at the pg client)', () => {
  let vault: VaultHarness;
  const recorded: string[] = [];
  let recording = false;
  const original = Client.prototype.query as unknown as QueryFn;

  beforeAll(async () => {
    (Client.prototype as unknown as { query: QueryFn }).query = function (this: Client, ...args: unknown[]) {
      if (recording && inRequest.getStore()?.url.endsWith('/documents')) {
        const first = args[0] as string | { text?: string };
        recorded.push(typeof first === 'string' ? first : (first?.text ?? '?'));
      }
      return original.apply(this, args);
    };
    subscribe('http.server.request.start', markRequest);
    vault = await startVault({ run });
  }, 240_000);

  afterAll(async () => {
    (Client.prototype as unknown as { query: QueryFn }).query = original;
    unsubscribe('http.server.request.start', markRequest);
    await vault?.stop();
  }, 60_000);

  async function countOneUpload(caseId: string): Promise<string[]> {
    await vault.openCase({
      caseId,
      tenantId: TENANT,
      propertyId: PROPERTY,
      parcel: parcelRef('sf-express', `SF${randomBytes(5).toString('hex').toUpperCase()}`),
      recipientName: NAME,
    });
    const link = await vault.requestLink(caseId);
    const token = tokenOf(link.json.uploadUrl!);
    expect((await vault.consent(token)).status).toBe(201);
    const photos = { front: await cardPhoto(), back: await cardPhoto() };
    recorded.length = 0;
    recording = true;
    const res = await vault.upload(token, photos, { idNumber: ID_NUMBER, name: NAME, expiry: '长期' });
    recording = false;
    expect(res.status).toBe(201);
    return [...recorded];
  }

  it('an ID card, front and back with typed fields', async () => {
    const queries = await countOneUpload(`cc_q2_${run}`);
    console.log(
      `queries per ID-card upload: ${queries.length}\n${queries.map((q) => `  ${q.replace(/\s+/g, ' ').slice(0, 110)}`).join('\n')}`,
    );
    expect(queries.length).toBeLessThanOrEqual(11);
  }, 90_000);
});
