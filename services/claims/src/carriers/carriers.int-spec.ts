import { createHash } from 'node:crypto';
import { carrier } from '@portico/contracts';
import { waitFor } from '@portico/testing';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { ClaimsHarness } from '../test-support/claims-harness';
import { SimulatedCarrierClaimsApi } from '../test-support/simulated-carrier-claims-api';

jest.setTimeout(120_000);

describe('carrier inquiry and filing through the gateways (simulated API, real SMTP sink, real Kafka + Postgres)', () => {
  let h: ClaimsHarness;
  let api: SimulatedCarrierClaimsApi;
  let smtp: SMTPServer;
  const mails: ParsedMail[] = [];

  beforeAll(async () => {
    api = await SimulatedCarrierClaimsApi.start();
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _session, done) {
        void simpleParser(stream).then((mail) => {
          mails.push(mail);
          done();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const port = (smtp.server.address() as AddressInfo).port;
    h = await ClaimsHarness.start('carriers', {
      CARRIER_STATUS_POLL_MS: '100',
      CLAIMS_SMTP_URL: `smtp://127.0.0.1:${port}`,
      CLAIMS_CARRIER_CHANNELS: JSON.stringify({
        'it-express': { channel: 'api', baseUrl: api.url, apiKey: api.apiKey },
        'it-mail': { channel: 'email', to: 'claims@carrier.example' },
      }),
    });
    await h.startInstance();
  });
  afterAll(async () => {
    await h?.stop();
    await api?.stop();
    await new Promise<void>((resolve) => smtp?.close(() => resolve()));
  });

  const state = async (id: string) =>
    (await h.query<{ state: string }>(`SELECT state FROM claims_claims WHERE id = $1`, [id]))[0]?.state;

  const lostClaim = (suffix: string, carrierCode?: string) =>
    h.claimFromException(suffix, carrier.ExceptionReason.LOST, carrierCode);

  it('API carrier: inquiry answered by polling, decision, filing with the evidence manifest, review, approval, archive', async () => {
    const { ref, id } = await lostClaim('api');
    const steward = await h.asPerson(['steward']);
    expect((await h.request('POST', `/v1/claims/${id}/inquiry`, { headers: steward })).body.state).toBe(
      'carrier_inquiry',
    );
    await waitFor(async () => (await state(id)) === 'awaiting_customer_decision', {
      timeoutMs: 20_000,
      description: 'inquiry answered',
    });

    expect(
      (
        await h.request('POST', `/v1/claims/${id}/decision`, {
          headers: steward,
          body: { decision: 'reship' },
        })
      ).status,
    ).toBe(200);
    await waitFor(async () => (await state(id)) === 'closed', {
      timeoutMs: 30_000,
      description: 'filed, reviewed, approved, archived',
    });
    const [row] = await h.query<Record<string, unknown>>(
      `SELECT outcome, close_reason, granted_minor FROM claims_claims WHERE id = $1`,
      [id],
    );
    expect(row).toEqual({ outcome: 'approved', close_reason: 'resolved', granted_minor: '128000' });

    await waitFor(() => h.eventCases(ref.parcelId).includes('claimClosed'), {
      timeoutMs: 20_000,
      description: 'events',
    });
    expect(h.eventCases(ref.parcelId)).toEqual([
      'claimOpened',
      'carrierInquirySent',
      'carrierInquiryAnswered',
      'customerDecisionRecorded',
      'claimFiled',
      'claimUnderReview',
      'claimResolved',
      'claimClosed',
    ]);
    const sent = h.events(ref.parcelId).find((e) => e.event.event.case === 'carrierInquirySent')!.event.event
      .value as { carrierReference: string };
    expect(sent.carrierReference).toMatch(/^sim_inq_/);
    // the manifest the carrier received is the one stored, and its SHA-256 is the one on ClaimFiled
    const filed = h.events(ref.parcelId).find((e) => e.event.event.case === 'claimFiled')!.event.event
      .value as {
      evidenceManifestSha256: Uint8Array;
      evidenceBundleId: string;
    };
    const [bundle] = await h.query<{ manifest_sha256: string; manifest: unknown }>(
      `SELECT manifest_sha256, manifest FROM claims_evidence_bundles WHERE id = $1`,
      [filed.evidenceBundleId],
    );
    expect(Buffer.from(filed.evidenceManifestSha256).toString('hex')).toBe(bundle!.manifest_sha256);
    const posted = api.requests.find((r) => r.method === 'POST' && r.path === '/v2/claims')!.body as {
      evidence: {
        manifest_sha256: string;
        manifest: { trackingHistory: { sha256: string; entries: unknown[] } };
      };
      amount: string;
    };
    expect(posted.amount).toBe('1280.00');
    expect(posted.evidence.manifest_sha256).toBe(bundle!.manifest_sha256);
    const history = posted.evidence.manifest.trackingHistory;
    expect(history.entries).toHaveLength(1);
    expect(history.sha256).toBe(createHash('sha256').update(JSON.stringify(history.entries)).digest('hex'));
    // the carrier's message thread is kept with the filing
    const messages = await h.query(
      `SELECT m.body FROM claims_filing_messages m JOIN claims_filings f ON f.id = m.filing_id WHERE f.claim_id = $1`,
      [id],
    );
    expect(messages).toEqual([{ body: 'We are reviewing your claim.' }]);
  });

  it("e-mail fallback: inquiry and claim reach the carrier desk; staff record the carrier's answers", async () => {
    const { ref, id } = await lostClaim('mail', 'it-mail');
    const steward = await h.asPerson(['steward']);
    await h.request('POST', `/v1/claims/${id}/inquiry`, { headers: steward });
    await waitFor(() => mails.some((m) => m.subject?.includes(id) && m.subject.includes('inquiry')), {
      timeoutMs: 20_000,
      description: 'inquiry mail',
    });
    await waitFor(() => h.eventCases(ref.parcelId).includes('carrierInquirySent'), {
      timeoutMs: 20_000,
      description: 'inquiry event',
    });
    await h.request('POST', `/v1/claims/${id}/inquiry-answer`, {
      headers: steward,
      body: { outcome: 'confirmed_lost' },
    });
    await h.request('POST', `/v1/claims/${id}/decision`, { headers: steward, body: { decision: 'refund' } });
    await waitFor(async () => (await state(id)) === 'filed', {
      timeoutMs: 20_000,
      description: 'filed by e-mail',
    });
    const claimMail = mails.find((m) => m.subject?.includes(id) && m.subject.includes('Claim'))!;
    expect(claimMail.to && 'text' in claimMail.to ? claimMail.to.text : '').toBe('claims@carrier.example');
    expect(claimMail.text).toContain('现就运单');
    expect(claimMail.attachments[0]!.contentType).toBe('application/json');
    const partial = await h.request('POST', `/v1/claims/${id}/carrier-status`, {
      headers: steward,
      body: { status: 'partially_approved' },
    });
    expect(partial.status).toBe(400);
    const done = await h.request('POST', `/v1/claims/${id}/carrier-status`, {
      headers: steward,
      body: { status: 'partially_approved', granted: { currencyCode: 'CNY', amountMinor: '50000' } },
    });
    expect(done.body).toMatchObject({
      state: 'closed',
      outcome: 'partially_approved',
      granted: { amountMinor: '50000' },
    });
  });

  it('runs the whole workflow across restarts: every step on a new instance, carrier work sent exactly once', async () => {
    /** The running instance stops and a new one starts on the same database and topics. */
    const restart = async () => {
      await h.stopInstance(h.instances[0]!);
      await h.startInstance();
    };
    const { ref, id } = await lostClaim('restart', 'it-mail');
    await restart();
    const steward = await h.asPerson(['steward']);
    const act = async (path: string, body?: unknown) => {
      const res = await h.request('POST', `/v1/claims/${id}/${path}`, { headers: steward, body });
      expect(res.status).toBe(200);
      return res.body as { state: string };
    };
    expect((await act('verifications', { source: 'property_desk', outcome: 'not_found' })).state).toBe(
      'verifying',
    );
    await restart();
    expect((await act('inquiry')).state).toBe('carrier_inquiry');
    // stopped right after queuing the inquiry (its worker may or may not have sent it yet): sent once either way
    await restart();
    await waitFor(() => mails.some((m) => m.subject?.includes(id) && m.subject.includes('inquiry')), {
      timeoutMs: 30_000,
      description: 'inquiry mail from the new instance',
    });
    expect((await act('inquiry-answer', { outcome: 'not_located' })).state).toBe(
      'awaiting_customer_decision',
    );
    await restart();
    await act('decision', { decision: 'refund' });
    // the filing (bundle + e-mail) is queued work too: the restart comes right after the decision
    await restart();
    await waitFor(async () => (await state(id)) === 'filed', {
      timeoutMs: 30_000,
      description: 'filed after restart',
    });
    await restart();
    expect((await act('carrier-status', { status: 'in_review' })).state).toBe('in_review');
    await restart();
    expect(
      await act('carrier-status', {
        status: 'approved',
        granted: { currencyCode: 'CNY', amountMinor: '128000' },
      }),
    ).toMatchObject({ state: 'closed', outcome: 'approved' });

    const history = (await h.request('GET', `/v1/claims/${id}`, { headers: steward })).body.history.map(
      (t: { to: string }) => t.to,
    );
    expect(history).toEqual([
      'detected',
      'verifying',
      'carrier_inquiry',
      'awaiting_customer_decision',
      'filed',
      'in_review',
      'resolved',
      'closed',
    ]);
    await waitFor(() => h.eventCases(ref.parcelId).includes('claimClosed'), {
      timeoutMs: 20_000,
      description: 'events',
    });
    // each step published once, in order, keyed by the parcel, whatever instance did it
    expect(h.eventCases(ref.parcelId)).toEqual([
      'claimOpened',
      'verificationRecorded',
      'carrierInquirySent',
      'carrierInquiryAnswered',
      'customerDecisionRecorded',
      'claimFiled',
      'claimUnderReview',
      'claimResolved',
      'claimClosed',
    ]);
    expect(new Set(h.events(ref.parcelId).map((e) => e.key))).toEqual(new Set([ref.parcelId]));
    expect(mails.filter((m) => m.subject?.includes(id) && m.subject.includes('inquiry'))).toHaveLength(1);
    expect(mails.filter((m) => m.subject?.includes(id) && m.subject.includes('Claim'))).toHaveLength(1);
  });

  it('fails requests of a carrier without a channel without blocking others, visibly', async () => {
    const { id } = await lostClaim('none', 'it-nochannel');
    await h.request('POST', `/v1/claims/${id}/inquiry`, { headers: await h.asPerson(['steward']) });
    await waitFor(
      async () =>
        (
          await h.query<{ status: string }>(
            `SELECT status FROM claims_carrier_requests WHERE claim_id = $1`,
            [id],
          )
        )[0]?.status === 'failed',
      { timeoutMs: 20_000, description: 'request failed' },
    );
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(
      /portico_claims_carrier_requests_total\{kind="inquiry",channel="email",outcome="failed"[^}]*\} 1/,
    );
  });

  it('API carrier: a claim the carrier cancels after review is closed as cancelled, never resolved', async () => {
    const script = api.claimScript;
    api.claimScript = [{ status: 'in_review' }, { status: 'cancelled' }];
    try {
      const { ref, id } = await lostClaim('api-cancel');
      const steward = await h.asPerson(['steward']);
      await h.request('POST', `/v1/claims/${id}/inquiry`, { headers: steward });
      await waitFor(async () => (await state(id)) === 'awaiting_customer_decision', {
        timeoutMs: 20_000,
        description: 'inquiry answered',
      });
      await h.request('POST', `/v1/claims/${id}/decision`, {
        headers: steward,
        body: { decision: 'refund' },
      });
      await waitFor(async () => (await state(id)) === 'closed', {
        timeoutMs: 30_000,
        description: 'cancelled',
      });
      const [row] = await h.query<Record<string, unknown>>(
        `SELECT outcome, close_reason FROM claims_claims WHERE id = $1`,
        [id],
      );
      expect(row).toEqual({ outcome: null, close_reason: 'cancelled' });
      await waitFor(() => h.eventCases(ref.parcelId).includes('claimClosed'), {
        timeoutMs: 20_000,
        description: 'events',
      });
      const cases = h.eventCases(ref.parcelId);
      expect(cases.slice(-3)).toEqual(['claimFiled', 'claimUnderReview', 'claimClosed']);
      expect(cases).not.toContain('claimResolved');
    } finally {
      api.claimScript = script;
    }
  });
});
