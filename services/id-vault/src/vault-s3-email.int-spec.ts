// id-vault as deployed with an object store and a clearance desk without an API: the service runs
// with VAULT_BLOB_STORE=s3 against S3Mock (@portico/testing/s3mock) and relays to a mailbox through
// the real SMTP sink (@portico/testing/smtp), over the real broker and Postgres. The full flow runs
// in vault.int-spec.ts with the Postgres store and the signed push; this one follows a document
// through the parts that differ: sealed content in the bucket, the relay e-mail, the grant link it
// carries, and the purge emptying the bucket.
import { randomBytes } from 'node:crypto';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { parcelRef } from '@portico/contracts';
import { waitFor } from '@portico/testing';
import { getTestS3, type TestS3 } from '@portico/testing/s3mock';
import { SmtpSink } from '@portico/testing/smtp';
import sharp from 'sharp';
import { cardPhoto } from './checks/fixtures/synthetic-images';
import { seededPersonalData, startVault, tokenOf, type VaultHarness } from './test-support/vault-harness';

const run = randomBytes(4).toString('hex');
const TENANT = `ten_vault_s3_${run}`;
const PROPERTY = `prop_${run}`;
// Seeded personal data, unique per run, looked for in the bucket, the mail and the log.
const { name: NAME, idNumber: ID_NUMBER } = seededPersonalData();
const MAILBOX = `clearance-desk-${run}@broker.example.test`;

describe('id-vault with S3 blobs and an e-mail relay (S3Mock, SMTP sink, real Kafka + Postgres)', () => {
  let s3: TestS3;
  let s3Client: S3Client;
  let sink: SmtpSink;
  let vault: VaultHarness;
  const bucket = `vault-flow-${run}`;
  const parcel = parcelRef('ems', `EE${run.toUpperCase()}CN`);
  const caseId = `cc_s3_${run}`;
  let token: string;
  let documentId: string;
  let grantLink: string;

  const steward = () =>
    vault.personToken({
      subject: `stf_${run}`,
      roles: ['steward'],
      tenantId: TENANT,
      propertyIds: [PROPERTY],
    });
  const objects = async () =>
    ((await s3Client.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key!);

  beforeAll(async () => {
    [s3, sink] = await Promise.all([getTestS3(), new SmtpSink().start()]);
    await s3.createBucket(bucket);
    s3Client = new S3Client({
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: s3.credentials,
    });
    vault = await startVault({
      run,
      env: {
        VAULT_BLOB_STORE: 's3',
        VAULT_S3_BUCKET: bucket,
        VAULT_S3_REGION: s3.region,
        VAULT_S3_ENDPOINT: s3.endpoint,
        VAULT_S3_FORCE_PATH_STYLE: 'true',
        VAULT_S3_ACCESS_KEY_ID: s3.credentials.accessKeyId,
        VAULT_S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
        VAULT_RELAY_DESTINATIONS: JSON.stringify({
          ems: {
            adapter: 'email',
            mailbox: MAILBOX,
            recipientKind: 'customs_broker',
            recipientId: 'broker-ems',
          },
        }),
        VAULT_RELAY_SMTP_HOST: '127.0.0.1',
        VAULT_RELAY_SMTP_PORT: String(sink.port),
        // The sink speaks plain SMTP on localhost; production keeps TLS required (the default).
        VAULT_RELAY_SMTP_REQUIRE_TLS: 'false',
      },
    });
    await vault.openCase({ caseId, tenantId: TENANT, propertyId: PROPERTY, parcel, recipientName: NAME });
  }, 240_000);

  afterAll(async () => {
    await vault?.stop();
    s3Client?.destroy();
    await sink?.stop();
    await s3?.stop();
  }, 60_000);

  it('seals the upload into the bucket: ciphertext only, nothing in vault_blobs', async () => {
    const link = await vault.requestLink(caseId);
    expect(link.status).toBe(201);
    token = tokenOf(link.json.uploadUrl!);
    expect((await vault.consent(token)).status).toBe(201);
    const res = await vault.upload(
      token,
      { front: await cardPhoto(), back: await cardPhoto() },
      { idNumber: ID_NUMBER, name: NAME, expiry: '长期' },
    );
    expect(res.status).toBe(201);
    documentId = res.json.documentId as string;

    const keys = await objects();
    expect(keys).toHaveLength(3); // front, back, typed fields
    for (const key of keys) {
      expect(key.startsWith(`documents/${documentId}/1/`)).toBe(true);
      const body = await (
        await fetch(`${s3.endpoint}/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`)
      ).arrayBuffer();
      const bytes = Buffer.from(body);
      expect(bytes.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))).toBe(false);
      expect(bytes.toString('utf8')).not.toContain(ID_NUMBER);
      expect(bytes.toString('utf8')).not.toContain(NAME);
    }
    expect((await vault.pg.query('SELECT count(*)::int AS n FROM vault_blobs')).rows[0].n).toBe(0);
  }, 90_000);

  it('relays on approval by e-mail to the desk: a grant link that serves the watermarked copy', async () => {
    const approved = await vault.call(`/v1/documents/${documentId}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await steward()}` },
    });
    expect(approved.status).toBe(201);
    await waitFor(() => sink.received.length > 0, { timeoutMs: 30_000, description: 'the relay e-mail' });
    const mail = sink.received[0]!;
    expect(mail.to).toEqual([MAILBOX]);
    expect(mail.subject).toContain(parcel.trackingNumber);
    for (const pii of [NAME, ID_NUMBER]) {
      expect(mail.text).not.toContain(pii);
      expect(mail.subject).not.toContain(pii);
    }
    const front = /https?:\/\/\S+\/v1\/relay-grants\/\S+\?part=front/.exec(mail.text)?.[0];
    expect(front).toBeDefined();
    grantLink = new URL(front!).pathname;
    const copy = await vault.call(new URL(front!).pathname + new URL(front!).search);
    expect(copy.status).toBe(200);
    expect((await sharp(copy.bytes).metadata()).format).toBe('jpeg');

    const { rows } = await vault.pg.query(`SELECT adapter, delivered_at FROM relay_grants`);
    expect(rows).toEqual([{ adapter: 'email', delivered_at: expect.any(Date) }]);
  }, 90_000);

  it('purges on withdrawal: keys shredded and the bucket emptied', async () => {
    const res = await vault.call(`/u/${token}/withdraw`, {
      method: 'POST',
      headers: { accept: 'application/json' },
    });
    expect(res.status).toBe(201);
    expect(await objects()).toEqual([]);
  }, 60_000);

  it('never wrote the seeded personal data, the mailbox or a grant link to its log', () => {
    const text = vault.log.text();
    expect(text).not.toContain(NAME);
    expect(text).not.toContain(ID_NUMBER);
    expect(text).not.toContain(MAILBOX);
    expect(grantLink).toMatch(/^\/v1\/relay-grants\/.{20,}/);
    expect(text).not.toContain(grantLink.split('/').pop()!);
  });
});
