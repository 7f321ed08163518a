import {
  AUDIT_CHAIN_VERSION,
  auditEntryHash,
  canonicalAuditEntry,
  GENESIS_HASH,
  type AuditHashedFields,
} from './audit-chain';

const entry: AuditHashedFields = {
  seq: 7,
  occurredAt: new Date('2026-12-01T10:00:00.123Z'),
  actorKind: 'carrier',
  actorId: 'carrier_sf',
  action: 'download',
  purpose: 'customs_clearance',
  subjectType: 'document',
  subjectId: 'doc_01JD8Z',
  caseId: 'case_42',
  tenantId: 'tenant_a',
  details: { grant: 'grt_9', verdict: 'ok', checks: { sharpness: 'pass', aspect: 'pass' }, pages: 2 },
};

describe('audit chain', () => {
  it('serialises with a version prefix, sorted keys, seq as a string and the timestamp with milliseconds', () => {
    const canonical = canonicalAuditEntry(entry);
    expect(canonical.startsWith(`${AUDIT_CHAIN_VERSION}\n`)).toBe(true);
    const json = JSON.parse(canonical.slice(AUDIT_CHAIN_VERSION.length + 1));
    expect(Object.keys(json)).toEqual([...Object.keys(json)].sort());
    expect(json.seq).toBe('7');
    expect(json.occurred_at).toBe('2026-12-01T10:00:00.123Z');
    expect(canonical).toContain(
      '"details":{"checks":{"aspect":"pass","sharpness":"pass"},"grant":"grt_9","pages":2,"verdict":"ok"}',
    );
  });

  it('is independent of the insertion order of keys, at every depth', () => {
    const reordered: AuditHashedFields = {
      details: { pages: 2, checks: { aspect: 'pass', sharpness: 'pass' }, verdict: 'ok', grant: 'grt_9' },
      tenantId: 'tenant_a',
      caseId: 'case_42',
      subjectId: 'doc_01JD8Z',
      subjectType: 'document',
      purpose: 'customs_clearance',
      action: 'download',
      actorId: 'carrier_sf',
      actorKind: 'carrier',
      occurredAt: new Date('2026-12-01T10:00:00.123Z'),
      seq: 7,
    };
    expect(canonicalAuditEntry(reordered)).toBe(canonicalAuditEntry(entry));
    expect(auditEntryHash(GENESIS_HASH, reordered).equals(auditEntryHash(GENESIS_HASH, entry))).toBe(true);
  });

  it('hashes SHA-256(prev_hash || canonical) into 32 bytes; genesis is 32 zero bytes', () => {
    expect(GENESIS_HASH).toEqual(Buffer.alloc(32));
    expect(auditEntryHash(GENESIS_HASH, entry)).toHaveLength(32);
    // Deterministic: the same input always gives the same hash.
    expect(auditEntryHash(GENESIS_HASH, entry).toString('hex')).toBe(
      auditEntryHash(Buffer.alloc(32), { ...entry }).toString('hex'),
    );
  });

  const changes: [string, Partial<AuditHashedFields>][] = [
    ['seq', { seq: 8 }],
    ['occurredAt (1 ms)', { occurredAt: new Date('2026-12-01T10:00:00.124Z') }],
    ['actorKind', { actorKind: 'broker' }],
    ['actorId', { actorId: 'carrier_yt' }],
    ['action', { action: 'view' }],
    ['purpose', { purpose: 'document_review' }],
    ['subjectType', { subjectType: 'consent' }],
    ['subjectId', { subjectId: 'doc_01JD90' }],
    ['subjectId to null', { subjectId: null }],
    ['caseId', { caseId: 'case_43' }],
    ['caseId to null', { caseId: null }],
    ['tenantId', { tenantId: 'tenant_b' }],
    ['a details value', { details: { ...entry.details, verdict: 'rejected' } }],
    [
      'a nested details value',
      { details: { ...entry.details, checks: { sharpness: 'fail', aspect: 'pass' } } },
    ],
    ['a details number', { details: { ...entry.details, pages: 3 } }],
    ['a details type (2 vs "2")', { details: { ...entry.details, pages: '2' } }],
    [
      'a details key removed',
      { details: { grant: 'grt_9', verdict: 'ok', checks: { sharpness: 'pass', aspect: 'pass' } } },
    ],
    ['a details key added', { details: { ...entry.details, extra: null } }],
  ];
  it.each(changes)('changes the hash when %s changes', (_label, change) => {
    const before = auditEntryHash(GENESIS_HASH, entry);
    expect(auditEntryHash(GENESIS_HASH, { ...entry, ...change }).equals(before)).toBe(false);
  });

  it('changes the hash when prev_hash changes', () => {
    const other = Buffer.alloc(32);
    other[31] = 1;
    expect(auditEntryHash(other, entry).equals(auditEntryHash(GENESIS_HASH, entry))).toBe(false);
  });

  it('refuses a prev_hash that is not 32 bytes and a seq that is not a positive integer', () => {
    expect(() => auditEntryHash(Buffer.alloc(31), entry)).toThrow(/32 bytes/);
    expect(() => canonicalAuditEntry({ ...entry, seq: 0 })).toThrow(/positive integer/);
  });
});
