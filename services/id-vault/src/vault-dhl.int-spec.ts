// id-vault relaying to DHL Express through its MyDHL API, over the real broker and Postgres: the
// service runs as deployed with a `dhl-express-mydhl` destination pointing at the SIMULATED MyDHL
// API (test-support/simulated-dhl-express-api.ts, real HTTP). The flow up to approval is the one
// vault.int-spec.ts covers in full; this follows what differs: the watermarked copy uploaded by the
// vault itself as the grant's one use, a final refusal ending the relay, and no personal data or
// credential in the log or the spans.
import { randomBytes } from 'node:crypto';
import { parcelRef } from '@portico/contracts';
import { installTestTracing, waitFor } from '@portico/testing';
import sharp from 'sharp';
import { cardPhoto } from './checks/fixtures/synthetic-images';
import { SimulatedDhlExpressApi } from './test-support/simulated-dhl-express-api';
import { seededPersonalData, startVault, type VaultHarness } from './test-support/vault-harness';

const { exporter: spans } = installTestTracing();

const run = randomBytes(4).toString('hex');
const TENANT = `ten_vault_dhl_${run}`;
const PROPERTY = `prop_${run}`;
const { name: NAME, idNumber: ID_NUMBER } = seededPersonalData();
const CREDENTIALS = {
  username: `portico-${run}`,
  password: `dhl-pw-${randomBytes(12).toString('hex')}`,
  accountNumber: '123456789',
};

describe('id-vault relaying to DHL Express (SIMULATED MyDHL API, real Kafka + Postgres)', () => {
  const dhl = new SimulatedDhlExpressApi(CREDENTIALS);
  let vault: VaultHarness;
  const awb = (n: number) => `${String(Date.now()).slice(-6)}${run.slice(0, 3)}${n}`.replace(/\D/g, '7');
  const accepted = { parcel: parcelRef('dhl', awb(1)), caseId: `cc_dhl_ok_${run}` };
  const refused = { parcel: parcelRef('dhl', awb(2)), caseId: `cc_dhl_no_${run}` };
  const sentContent: string[] = [];

  /** A resident's upload through a fresh link, then the steward's approval; the document id. */
  async function uploadAndApprove(caseId: string): Promise<string> {
    const { res } = await vault.linkConsentAndUpload(
      caseId,
      { front: await cardPhoto(), back: await cardPhoto() },
      { idNumber: ID_NUMBER, name: NAME, expiry: '长期' },
    );
    expect(res.status).toBe(201);
    const documentId = res.json.documentId as string;
    const approved = await vault.call(`/v1/documents/${documentId}/approve`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await vault.personToken({ subject: `stf_${run}`, roles: ['steward'], tenantId: TENANT, propertyIds: [PROPERTY] })}`,
      },
    });
    expect(approved.status).toBe(201);
    return documentId;
  }

  const uploadsFor = (trackingNumber: string) =>
    dhl.uploads.filter((u) => u.shipmentTrackingNumber === trackingNumber);

  beforeAll(async () => {
    const baseUrl = await dhl.start();
    dhl.addShipment(accepted.parcel.trackingNumber);
    dhl.addShipment(refused.parcel.trackingNumber);
    vault = await startVault({
      run,
      env: {
        VAULT_RELAY_DESTINATIONS: JSON.stringify({
          dhl: { adapter: 'dhl-express-mydhl', baseUrl, ...CREDENTIALS },
        }),
      },
    });
    for (const c of [accepted, refused])
      await vault.openCase({
        caseId: c.caseId,
        tenantId: TENANT,
        propertyId: PROPERTY,
        parcel: c.parcel,
        recipientName: NAME,
      });
  }, 240_000);

  afterAll(async () => {
    await vault?.stop();
    await dhl.stop();
  }, 60_000);

  it('uploads the watermarked front and back to the shipment itself, as the grant’s one use', async () => {
    const documentId = await uploadAndApprove(accepted.caseId);
    await waitFor(() => uploadsFor(accepted.parcel.trackingNumber).some((u) => u.status === 200), {
      timeoutMs: 30_000,
      description: 'the upload to DHL',
    });
    const [upload] = uploadsFor(accepted.parcel.trackingNumber);
    expect(upload!.body.documentImages.map((i) => [i.typeCode, i.imageFormat])).toEqual([
      ['DCL', 'JPEG'],
      ['DCL', 'JPEG'],
    ]);
    for (const image of upload!.images) {
      const meta = await sharp(image).metadata();
      expect(meta.format).toBe('jpeg');
      expect(meta.exif).toBeUndefined();
    }
    sentContent.push(...upload!.body.documentImages.map((i) => i.content.slice(100, 160)));
    const raw = dhl.rawBodies.join('\n');
    for (const pii of [NAME, ID_NUMBER]) expect(raw).not.toContain(pii);
    expect(raw).not.toContain('relay-grants');

    await waitFor(
      async () =>
        (await vault.pg.query(`SELECT status FROM documents WHERE id = $1`, [documentId])).rows[0]?.status ===
        'relayed',
      { timeoutMs: 10_000, description: 'the document marked relayed' },
    );
    const { rows } = await vault.pg.query(
      `SELECT id, adapter, max_uses, uses, delivered_at, revoked_at FROM relay_grants WHERE document_id = $1`,
      [documentId],
    );
    expect(rows).toEqual([
      {
        id: upload!.headers['message-reference'],
        adapter: 'dhl-express-mydhl',
        max_uses: 1,
        uses: 1,
        delivered_at: expect.any(Date),
        revoked_at: null,
      },
    ]);
    const relaySpan = spans.getFinishedSpans().find((s) => s.name === 'relay.deliver dhl-express-mydhl');
    expect(relaySpan?.status.code).not.toBe(2);
    expect(relaySpan?.attributes['portico.vault.grant_id']).toBe(rows[0].id);
  }, 90_000);

  it('ends the relay when DHL refuses the upload as such (422): grant revoked, audited, not retried', async () => {
    dhl.failNext(422);
    const documentId = await uploadAndApprove(refused.caseId);
    await waitFor(
      async () =>
        (await vault.pg.query(`SELECT revoked_at FROM relay_grants WHERE document_id = $1`, [documentId]))
          .rows[0]?.revoked_at instanceof Date,
      { timeoutMs: 30_000, description: 'the refused relay’s grant revoked' },
    );
    const audit = await vault.pg.query(
      `SELECT action, details FROM audit_log WHERE case_id = $1 ORDER BY seq DESC LIMIT 1`,
      [refused.caseId],
    );
    expect(audit.rows[0]).toMatchObject({
      action: 'revoke',
      details: expect.objectContaining({ outcome: 'refused', why: 'unprocessable', status: 422 }),
    });
    // The push timer completed: a few polls later DHL still saw the one upload.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(uploadsFor(refused.parcel.trackingNumber).map((u) => u.status)).toEqual([422]);
    expect(
      (await vault.pg.query(`SELECT status FROM documents WHERE id = $1`, [documentId])).rows[0].status,
    ).toBe('approved');
    const failedSpan = spans
      .getFinishedSpans()
      .filter((s) => s.name === 'relay.deliver dhl-express-mydhl')
      .find((s) => s.attributes['portico.vault.relay_failure'] === 'unprocessable');
    expect(failedSpan?.attributes['portico.vault.relay_retryable']).toBe(false);
  }, 90_000);

  it('wrote no personal data, credential or image content to its log or its spans', () => {
    const everything = [
      vault.log.text(),
      JSON.stringify(
        spans.getFinishedSpans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events })),
      ),
    ];
    const basic = Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString('base64');
    expect(sentContent.length).toBe(2);
    for (const text of everything) {
      for (const secretOrPii of [NAME, ID_NUMBER, CREDENTIALS.password, basic, ...sentContent])
        expect(text).not.toContain(secretOrPii);
    }
    expect(vault.log.text()).toContain('relay abandoned');
    expect(vault.log.text()).toContain('document relayed');
  });
});
