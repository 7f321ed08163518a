import { SimulatedVaultUploadLinks } from './test-support/simulated-vault-upload-links';
import { HttpUploadLinkIssuer } from './upload-links';

describe('upload links from id-vault (SimulatedVaultUploadLinks stands in for its internal API)', () => {
  const vault = new SimulatedVaultUploadLinks('vault-token-0123456789-abcdefgh');
  let issuer: HttpUploadLinkIssuer;
  beforeAll(async () => {
    await vault.start();
    issuer = new HttpUploadLinkIssuer({
      baseUrl: vault.url,
      serviceToken: 'vault-token-0123456789-abcdefgh',
      timeoutMs: 5000,
    });
  });
  afterAll(() => vault.stop());

  it('asks for the link with the service token and the message id as idempotency key', async () => {
    vault.knowCase('case_1');
    const result = await issuer.issue({
      caseId: 'case_1',
      language: 'en',
      documents: ['passport'],
      idempotencyKey: 'msg_1',
    });
    expect(result.ok).toBe(true);
    const issued = vault.issued.at(-1)!;
    expect(issued).toMatchObject({
      caseId: 'case_1',
      idempotencyKey: 'msg_1',
      language: 'en',
      documents: ['passport'],
    });
    expect(result).toMatchObject({ ok: true, link: { requestId: issued.requestId, url: issued.uploadUrl } });
  });

  it('gets the same request (with a fresh secret) when a retry asks again', async () => {
    const first = await issuer.issue({
      caseId: 'case_1',
      language: 'zh',
      documents: [],
      idempotencyKey: 'msg_2',
    });
    const again = await issuer.issue({
      caseId: 'case_1',
      language: 'zh',
      documents: [],
      idempotencyKey: 'msg_2',
    });
    if (!first.ok || !again.ok) throw new Error('expected links');
    expect(again.link.requestId).toBe(first.link.requestId);
    expect(again.link.url).not.toBe(first.link.url);
  });

  it('retries later when the vault has not seen the case yet, honouring its retry-after', async () => {
    expect(
      await issuer.issue({ caseId: 'case_unknown', language: 'zh', documents: [], idempotencyKey: 'msg_3' }),
    ).toEqual({
      ok: false,
      code: 'VAULT_CASE_NOT_KNOWN_YET',
      retryable: true,
      scope: 'message',
      retryAfterMs: 1000,
    });
  });

  it('keeps the message (retryable) when the token is refused, and is unreachable-safe', async () => {
    const wrong = new HttpUploadLinkIssuer({ baseUrl: vault.url, serviceToken: 'wrong', timeoutMs: 5000 });
    expect(
      await wrong.issue({ caseId: 'case_1', language: 'zh', documents: [], idempotencyKey: 'msg_4' }),
    ).toMatchObject({
      ok: false,
      code: 'VAULT_HTTP_401',
      retryable: true,
    });
    const down = new HttpUploadLinkIssuer({
      baseUrl: 'http://127.0.0.1:1',
      serviceToken: 'x',
      timeoutMs: 1000,
    });
    expect(
      await down.issue({ caseId: 'case_1', language: 'zh', documents: [], idempotencyKey: 'msg_5' }),
    ).toMatchObject({
      ok: false,
      code: 'VAULT_UNREACHABLE',
      retryable: true,
    });
  });
});
