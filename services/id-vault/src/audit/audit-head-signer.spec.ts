import { ConfigError, loadConfig } from '@portico/config';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditKeyId, signAuditHead, verifyAuditHeadSignature } from './audit-head';
import {
  JsonLinesAuditHeadSink,
  latestValidHead,
  scheduleAuditHeadSigning,
  type AuditSignOutcome,
} from './audit-head-signer';
import { auditSettings, parseEd25519PublicKey } from './audit-settings';

const keys = generateKeyPairSync('ed25519');
const otherKeys = generateKeyPairSync('ed25519');
const head = { seq: 12, hash: Buffer.alloc(32, 7) };
const at = new Date('2026-12-01T10:05:00.000Z');

describe('signed audit heads', () => {
  it('signs {seq, hash, signed_at} with Ed25519; the public key verifies, another key does not', () => {
    const signed = signAuditHead(head, keys.privateKey, at);
    expect(signed).toMatchObject({ seq: 12, hash: '07'.repeat(32), signed_at: '2026-12-01T10:05:00.000Z' });
    expect(signed.key_id).toBe(auditKeyId(keys.publicKey));
    expect(verifyAuditHeadSignature(signed, [keys.publicKey])).toBe(true);
    expect(verifyAuditHeadSignature(signed, [otherKeys.publicKey])).toBe(false);
    // old and new keys side by side after a rotation
    expect(verifyAuditHeadSignature(signed, [otherKeys.publicKey, keys.publicKey])).toBe(true);
  });

  it.each([
    ['seq', { seq: 13 }],
    ['hash', { hash: '08'.repeat(32) }],
    ['signed_at', { signed_at: '2026-12-01T10:05:00.001Z' }],
    ['signature', { signature: Buffer.alloc(64).toString('base64') }],
    ['a garbage signature', { signature: 'not base64!' }],
  ])('rejects a head whose %s was changed', (_label, change) => {
    const signed = signAuditHead(head, keys.privateKey, at);
    expect(verifyAuditHeadSignature({ ...signed, ...change }, [keys.publicKey])).toBe(false);
  });
});

describe('JsonLinesAuditHeadSink', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-heads-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('appends one JSON line per head, creating the directory, and reads them back in order', async () => {
    const sink = new JsonLinesAuditHeadSink(join(dir, 'nested'));
    const first = signAuditHead({ seq: 1, hash: Buffer.alloc(32, 1) }, keys.privateKey, at);
    const second = signAuditHead({ seq: 5, hash: Buffer.alloc(32, 5) }, keys.privateKey, at);
    await Promise.all([sink.append(first), sink.append(second)]);
    expect(
      readFileSync(sink.path, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([first, second]);
    const lines = [];
    for await (const l of sink.read()) lines.push(l);
    expect(lines).toEqual([
      { line: 1, head: first },
      { line: 2, head: second },
    ]);
    expect(await latestValidHead(sink, [keys.publicKey])).toEqual(second);
    expect(await latestValidHead(sink, [otherKeys.publicKey])).toBeUndefined();
  });

  it('reads nothing from a missing file and reports malformed lines', async () => {
    const sink = new JsonLinesAuditHeadSink(dir);
    const none = [];
    for await (const l of sink.read()) none.push(l);
    expect(none).toEqual([]);
    writeFileSync(sink.path, '{"seq":1}\nnot json\n');
    const lines = [];
    for await (const l of sink.read()) lines.push(l);
    expect(lines).toEqual([
      { line: 1, malformed: 'missing or invalid fields' },
      { line: 2, malformed: 'not JSON' },
    ]);
  });
});

describe('auditSettings', () => {
  const pem = keys.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const der = keys.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');

  it('reads the signing key as PEM, one-line PEM with \\n, or base64 PKCS#8; signing is off without it', () => {
    for (const value of [pem, pem.replace(/\n/g, '\\n'), der]) {
      const config = loadConfig('id-vault', auditSettings, {
        AUDIT_SIGNING_KEY: value,
        AUDIT_EXPORT_DIR: '/x',
      });
      expect(auditKeyId(config.auditSigningKey!)).toBe(auditKeyId(keys.publicKey));
      expect(config.auditSignIntervalSeconds).toBe(300);
    }
    expect(loadConfig('id-vault', auditSettings, {}).auditSigningKey).toBeUndefined();
  });

  it('refuses a non-Ed25519 or garbled key without echoing it', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    for (const value of [rsa, 'c2VjcmV0LWtleS1tYXRlcmlhbC1ub3QtYS1rZXktYXQtYWxs']) {
      let error: unknown;
      try {
        loadConfig('id-vault', auditSettings, { AUDIT_SIGNING_KEY: value });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain('AUDIT_SIGNING_KEY must be an Ed25519 private key');
      expect((error as Error).message).not.toContain(value.slice(30, 50) || value);
    }
    expect(() => loadConfig('id-vault', auditSettings, { AUDIT_SIGN_INTERVAL_SECONDS: '1' })).toThrow(
      /AUDIT_SIGN_INTERVAL_SECONDS/,
    );
  });

  it('derives or parses the public key (PEM, base64 SPKI, or from the private key)', () => {
    const spkiPem = keys.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const spkiB64 = keys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    for (const value of [spkiPem, spkiB64, pem])
      expect(auditKeyId(parseEd25519PublicKey(value))).toBe(auditKeyId(keys.publicKey));
  });
});

describe('scheduleAuditHeadSigning', () => {
  afterEach(() => jest.useRealTimers());

  it('signs every interval, never two at once, and stop() waits for the one in progress', async () => {
    jest.useFakeTimers();
    let calls = 0;
    let release: () => void = () => undefined;
    const signer = {
      signIfMoved: () =>
        new Promise<AuditSignOutcome>((resolve) => {
          calls++;
          release = () => resolve({ outcome: 'empty' });
        }),
    };
    const outcomes: AuditSignOutcome[] = [];
    const schedule = scheduleAuditHeadSigning(signer, {
      intervalSeconds: 300,
      onOutcome: (o) => outcomes.push(o),
    });
    jest.advanceTimersByTime(299_000);
    expect(calls).toBe(0);
    jest.advanceTimersByTime(1_000);
    expect(calls).toBe(1);
    jest.advanceTimersByTime(300_000); // still running: skipped
    expect(calls).toBe(1);
    const stopped = schedule.stop();
    release();
    await stopped;
    expect(outcomes).toEqual([{ outcome: 'empty' }]);
    jest.advanceTimersByTime(900_000);
    expect(calls).toBe(1);
  });

  it('reports errors and tries again on the next tick', async () => {
    const errors: unknown[] = [];
    let n = 0;
    const schedule = scheduleAuditHeadSigning(
      {
        signIfMoved: async () =>
          n++ === 0 ? Promise.reject(new Error('db down')) : { outcome: 'empty' as const },
      },
      { intervalSeconds: 300, onError: (e) => errors.push(e) },
    );
    expect(await schedule.tick()).toBeUndefined();
    expect(await schedule.tick()).toEqual({ outcome: 'empty' });
    expect(errors).toHaveLength(1);
    await schedule.stop();
  });
});
