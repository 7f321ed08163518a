/**
 * In-memory stand-ins for what the vault's feature services talk to: repositories, ports, the
 * outbox, transactions, clock and ids. Unit tests build the real services on these, so a test
 * reads as "given these rows, after this call, these rows, events and audit entries".
 *
 * Transactions are modelled just enough to matter: every write is recorded with the transaction
 * it ran in, writes that need a transaction (audit, outbox, timers) refuse to run outside one, and
 * a transaction that throws rolls every fake back to where it started.
 */
import { toBinary } from '@bufbuild/protobuf';
import { VAULT_DOCUMENT_TOPIC, VaultDocumentEventSchema, type VaultDocumentEvent } from '@portico/contracts';
import type { OutboxEvent, OutboxWriter } from '@portico/messaging';
import { Registry } from '@portico/observability';
import { UnitOfWork } from '@portico/service-kit';
import type { DescMessage } from '@bufbuild/protobuf';
import type { PinoLogger } from 'nestjs-pino';
import type { EntityManager } from 'typeorm';
import type { CaseClosure, VaultCase } from '../cases/vault-case';
import type { OpenedCase, VaultCaseRepository } from '../cases/vault-case.repository';
import { CONSENT_TEXT_VERSION, type Consent } from '../documents/consent';
import type { ConsentRepository } from '../documents/consent.repository';
import {
  DocumentChecker,
  SealedDocuments,
  type CheckOutcome,
  type CheckRequest,
  type SealedPartRef,
} from '../documents/document-ports';
import type { DocumentStatus, VaultDocument } from '../documents/vault-document';
import type { VaultDocumentRepository } from '../documents/vault-document.repository';
import { VaultEventWriter } from '../events/vault-event-writer';
import { RelayAdapter, type RelayNotice } from '../relay/relay-adapter';
import type { RelayDestination } from '../relay/relay-destination';
import { Watermarker } from '../relay/watermarker';
import { AuditTrail, type AuditRecord } from '../shared/audit-trail';
import type { DocumentTypeName } from '../shared/document-types';
import type { Clock, IdGenerator } from '../shared/tokens';
import { createVaultMetrics, type VaultMetrics } from '../shared/vault-metrics';
import type { UploadRequest, UploadRequestStatus } from '../upload-requests/upload-request';
import type { NewUploadRequest, UploadRequestRepository } from '../upload-requests/upload-request.repository';
import type { UploadSubmissionRepository } from '../resident/upload-submission.repository';

// ---------------------------------------------------------------------------------------------
// Transactions and raw SQL

interface FakeManager {
  readonly txId: number;
  readonly queryRunner: { readonly isTransactionActive: boolean };
  query(sql: string, params?: readonly unknown[]): Promise<unknown>;
}

/** The transaction a fake manager belongs to (0 for reads outside a transaction). */
export function txOf(m: EntityManager): number {
  return (m as unknown as FakeManager).txId;
}

export function inTransaction(m: EntityManager): boolean {
  return (m as unknown as FakeManager).queryRunner.isTransactionActive;
}

function requireTransaction(m: EntityManager, what: string): void {
  if (!inTransaction(m)) throw new Error(`${what} outside a transaction`);
}

/** Something a rolled-back transaction must put back: `snapshot()` returns the undo. */
export interface Snapshottable {
  snapshot(): () => void;
}

export interface SqlCall {
  readonly tx: number;
  readonly sql: string;
  readonly params: readonly unknown[];
}

export interface PendingTimer {
  readonly kind: string;
  readonly dueAt: Date;
  readonly payload: unknown;
  readonly tx: number;
}

/**
 * The raw SQL the services (and @portico/timers) send through the EntityManager: answered by
 * responders the test registers; anything unexpected throws, so a new query cannot pass silently.
 * The `timers` table of @portico/timers is built in.
 */
export class FakeDatabase {
  readonly sql: SqlCall[] = [];
  readonly timers = new Map<string, PendingTimer>();
  private readonly responders: Array<{
    pattern: RegExp;
    answer: (params: readonly unknown[], tx: number, sql: string) => unknown;
  }> = [];
  private readonly stores: Snapshottable[] = [];
  private lastTx = 0;

  constructor() {
    this.track({
      snapshot: () => {
        const saved = new Map(this.timers);
        return () => {
          this.timers.clear();
          for (const [k, v] of saved) this.timers.set(k, v);
        };
      },
    });
    this.on(/INSERT INTO timers \(key, kind, due_at, payload\)\s+SELECT \* FROM unnest/, (p, tx) => {
      const [keys, kinds, dues, payloads] = p as [string[], string[], Date[], string[]];
      return keys.map((key, i) => {
        this.timers.set(key, { kind: kinds[i]!, dueAt: dues[i]!, payload: JSON.parse(payloads[i]!), tx });
        return { id: key };
      });
    });
    this.on(/INSERT INTO timers \(key, kind, due_at, payload\) VALUES/, (p, tx, sql) => {
      const [key, kind, dueAt, payload] = p as [string, string, Date, string];
      if (this.timers.has(key) && /DO NOTHING/.test(sql)) return [];
      this.timers.set(key, { kind, dueAt, payload: JSON.parse(payload), tx });
      return [{ id: key }];
    });
  }

  /** Answers SQL matching `pattern` (the latest registration wins). */
  on(pattern: RegExp, answer: (params: readonly unknown[], tx: number, sql: string) => unknown): this {
    this.responders.unshift({ pattern, answer });
    return this;
  }

  track(...stores: Snapshottable[]): this {
    this.stores.push(...stores);
    return this;
  }

  /** Undo for everything tracked: what a rollback does. */
  snapshot(): () => void {
    const undo = this.stores.map((s) => s.snapshot());
    return () => undo.forEach((u) => u());
  }

  manager(transactional: boolean): EntityManager {
    const txId = transactional ? ++this.lastTx : 0;
    const manager: FakeManager = {
      txId,
      queryRunner: { isTransactionActive: transactional },
      query: async (sql, params = []) => {
        this.sql.push({ tx: txId, sql, params });
        const responder = this.responders.find((r) => r.pattern.test(sql));
        if (!responder) throw new Error(`unexpected SQL in a unit test: ${sql.slice(0, 80)}`);
        if (/^\s*(INSERT|UPDATE|DELETE)/i.test(sql) && !transactional) {
          throw new Error(`write outside a transaction: ${sql.slice(0, 80)}`);
        }
        return responder.answer(params, txId, sql);
      },
    };
    return manager as unknown as EntityManager;
  }

  /** The SQL sent that matches `pattern`. */
  queries(pattern: RegExp): SqlCall[] {
    return this.sql.filter((q) => pattern.test(q.sql));
  }
}

export class FakeUnitOfWork extends UnitOfWork {
  readonly outcomes: Array<'committed' | 'rolled_back'> = [];

  constructor(private readonly db: FakeDatabase) {
    super();
  }

  async transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const rollback = this.db.snapshot();
    try {
      const result = await work(this.db.manager(true));
      this.outcomes.push('committed');
      return result;
    } catch (e) {
      rollback();
      this.outcomes.push('rolled_back');
      throw e;
    }
  }

  read<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return work(this.db.manager(false));
  }
}

/** A Map of rows that a rollback restores. */
class Rows<V> implements Snapshottable {
  readonly rows = new Map<string, V>();

  snapshot(): () => void {
    const saved = new Map(this.rows);
    return () => {
      this.rows.clear();
      for (const [k, v] of saved) this.rows.set(k, v);
    };
  }

  values(): V[] {
    return [...this.rows.values()];
  }
}

/** An append-only list that a rollback truncates. */
class Log<V> implements Snapshottable {
  readonly items: V[] = [];

  snapshot(): () => void {
    const length = this.items.length;
    return () => void this.items.splice(length);
  }
}

// ---------------------------------------------------------------------------------------------
// Repositories

export class FakeCaseRepository extends Rows<VaultCase> implements VaultCaseRepository {
  add(c: VaultCase): VaultCase {
    this.rows.set(c.caseId, c);
    return c;
  }

  async upsertOpened(_m: EntityManager, c: OpenedCase): Promise<void> {
    const existing = this.rows.get(c.caseId);
    this.rows.set(c.caseId, {
      ...c,
      propertyId: c.propertyId ?? existing?.propertyId ?? null,
      state: existing?.state ?? 'open',
      closedAt: existing?.closedAt ?? null,
    });
  }

  async refine(
    _m: EntityManager,
    caseId: string,
    change: {
      propertyId?: string | null;
      requiredDocuments?: readonly DocumentTypeName[];
      deadline?: Date | null;
    },
  ): Promise<void> {
    const c = this.rows.get(caseId);
    if (!c) return;
    this.rows.set(caseId, {
      ...c,
      propertyId: change.propertyId ?? c.propertyId,
      requiredDocuments: change.requiredDocuments ?? c.requiredDocuments,
      deadline: change.deadline ?? c.deadline,
    });
  }

  async close(
    _m: EntityManager,
    caseId: string,
    _because: CaseClosure,
    at: Date,
  ): Promise<VaultCase | undefined> {
    const c = this.rows.get(caseId);
    if (!c || c.state !== 'open') return undefined;
    const closed: VaultCase = { ...c, state: 'closed', closedAt: at };
    this.rows.set(caseId, closed);
    return closed;
  }

  async resolveProperty(
    _m: EntityManager,
    r: { tenantId: string; parcelId: string; propertyId: string; at: Date },
  ): Promise<number> {
    let completed = 0;
    for (const c of this.rows.values()) {
      if (c.tenantId === r.tenantId && c.parcelId === r.parcelId && c.state === 'open' && !c.propertyId) {
        this.rows.set(c.caseId, { ...c, propertyId: r.propertyId });
        completed += 1;
      }
    }
    return completed;
  }

  async find(_m: EntityManager, caseId: string): Promise<VaultCase | undefined> {
    return this.rows.get(caseId);
  }
}

export interface StoredRequest {
  readonly request: UploadRequest;
  readonly tokenHash: Buffer;
  readonly requestedBy: string;
  readonly idempotencyKey: string | null;
}

export class FakeUploadRequestRepository extends Rows<StoredRequest> implements UploadRequestRepository {
  /** Every lookup by token hash, so a test can tell junk never reached the "database". */
  readonly tokenLookups: Buffer[] = [];

  add(request: UploadRequest, tokenHash: Buffer, extra: Partial<StoredRequest> = {}): UploadRequest {
    this.rows.set(request.id, {
      request,
      tokenHash,
      requestedBy: 'notification',
      idempotencyKey: null,
      ...extra,
    });
    return request;
  }

  get(id: string): UploadRequest {
    const r = this.rows.get(id);
    if (!r) throw new Error(`no upload request ${id}`);
    return r.request;
  }

  private update(id: string, change: Partial<UploadRequest>, tokenHash?: Buffer): void {
    const r = this.rows.get(id)!;
    this.rows.set(id, { ...r, request: { ...r.request, ...change }, tokenHash: tokenHash ?? r.tokenHash });
  }

  async insert(_m: EntityManager, n: NewUploadRequest): Promise<void> {
    if (this.rows.has(n.request.id)) throw new Error(`duplicate upload request ${n.request.id}`);
    this.rows.set(n.request.id, { ...n });
  }

  async findByIdempotencyKey(
    _m: EntityManager,
    caseId: string,
    key: string,
  ): Promise<UploadRequest | undefined> {
    return this.values().find((r) => r.request.caseId === caseId && r.idempotencyKey === key)?.request;
  }

  async findOpenForCase(_m: EntityManager, caseId: string): Promise<UploadRequest | undefined> {
    return this.values().find((r) => r.request.caseId === caseId && r.request.status === 'open')?.request;
  }

  async findByTokenHash(_m: EntityManager, hash: Buffer): Promise<UploadRequest | undefined> {
    this.tokenLookups.push(hash);
    return this.values().find((r) => r.tokenHash.equals(hash))?.request;
  }

  async find(_m: EntityManager, id: string): Promise<UploadRequest | undefined> {
    return this.rows.get(id)?.request;
  }

  async setStatus(_m: EntityManager, id: string, status: UploadRequestStatus): Promise<void> {
    this.update(id, { status });
  }

  async rotateToken(_m: EntityManager, id: string, tokenHash: Buffer, expiresAt: Date): Promise<void> {
    this.update(id, { expiresAt }, tokenHash);
  }

  async countAttempt(_m: EntityManager, id: string): Promise<number> {
    const attempts = this.get(id).attempts + 1;
    this.update(id, { attempts });
    return attempts;
  }

  async revokeOpenForCase(_m: EntityManager, caseId: string): Promise<string[]> {
    const open = this.values().filter((r) => r.request.caseId === caseId && r.request.status === 'open');
    for (const r of open) this.update(r.request.id, { status: 'revoked' });
    return open.map((r) => r.request.id);
  }
}

export class FakeConsentRepository extends Rows<Consent> implements ConsentRepository {
  add(c: Consent): Consent {
    this.rows.set(c.id, c);
    return c;
  }

  async insert(_m: EntityManager, c: Consent): Promise<void> {
    this.rows.set(c.id, c);
  }

  async activeFor(_m: EntityManager, requestId: string): Promise<Consent | undefined> {
    return this.values()
      .filter((c) => c.requestId === requestId && c.withdrawnAt === null)
      .sort((a, b) => b.givenAt.getTime() - a.givenAt.getTime())[0];
  }

  async withdraw(_m: EntityManager, requestId: string, at: Date): Promise<string[]> {
    const active = this.values().filter((c) => c.requestId === requestId && c.withdrawnAt === null);
    for (const c of active) this.rows.set(c.id, { ...c, withdrawnAt: at });
    return active.map((c) => c.id);
  }
}

export class FakeDocumentRepository extends Rows<VaultDocument> implements VaultDocumentRepository {
  readonly purgeReasons = new Map<string, string>();

  add(d: VaultDocument): VaultDocument {
    this.rows.set(d.id, d);
    return d;
  }

  get(id: string): VaultDocument {
    const d = this.rows.get(id);
    if (!d) throw new Error(`no document ${id}`);
    return d;
  }

  override snapshot(): () => void {
    const rows = super.snapshot();
    const reasons = new Map(this.purgeReasons);
    return () => {
      rows();
      this.purgeReasons.clear();
      for (const [k, v] of reasons) this.purgeReasons.set(k, v);
    };
  }

  private set(id: string, change: Partial<VaultDocument>): void {
    this.rows.set(id, { ...this.get(id), ...change });
  }

  async insert(_m: EntityManager, d: VaultDocument): Promise<void> {
    if (this.rows.has(d.id)) throw new Error(`duplicate document ${d.id}`);
    this.rows.set(d.id, d);
  }

  async find(_m: EntityManager, id: string): Promise<VaultDocument | undefined> {
    return this.rows.get(id);
  }

  async listForCase(_m: EntityManager, caseId: string): Promise<VaultDocument[]> {
    return this.values()
      .filter((d) => d.caseId === caseId)
      .sort((a, b) => a.submittedAt.getTime() - b.submittedAt.getTime());
  }

  async review(
    _m: EntityManager,
    id: string,
    v: { status: 'approved' | 'rejected'; reviewerId: string; at: Date; rejectionReason?: string },
  ): Promise<void> {
    this.set(id, {
      status: v.status,
      reviewerId: v.reviewerId,
      reviewedAt: v.at,
      rejectionReason: v.rejectionReason ?? null,
    });
  }

  async markRelayed(_m: EntityManager, id: string): Promise<void> {
    if (this.get(id).status === 'approved') this.set(id, { status: 'relayed' });
  }

  async markPurged(_m: EntityManager, id: string, reason: string, at: Date): Promise<boolean> {
    const d = this.rows.get(id);
    if (!d || d.status === 'purged') return false;
    this.set(id, { status: 'purged', purgedAt: at });
    this.purgeReasons.set(id, reason);
    return true;
  }

  /** Test helper: documents in a given status. */
  withStatus(status: DocumentStatus): VaultDocument[] {
    return this.values().filter((d) => d.status === status);
  }
}

/** The upload's combined SQL, answered by the other fakes (what each statement reads and writes). */
export class FakeUploadSubmissions implements UploadSubmissionRepository {
  constructor(
    private readonly requests: FakeUploadRequestRepository,
    private readonly cases: FakeCaseRepository,
    private readonly consents: FakeConsentRepository,
    private readonly documents: FakeDocumentRepository,
  ) {}

  async resolve(m: EntityManager, tokenHash: Buffer) {
    const request = await this.requests.findByTokenHash(m, tokenHash);
    if (!request) return undefined;
    return {
      request,
      vaultCase: await this.cases.find(m, request.caseId),
      consent: await this.consents.activeFor(m, request.id),
    };
  }

  async claim(m: EntityManager, requestId: string, submittedAt: Date | null) {
    const request = await this.requests.find(m, requestId);
    if (!request) return undefined;
    const attempt = await this.requests.countAttempt(m, requestId);
    if (submittedAt) await this.requests.setStatus(m, requestId, 'submitted');
    return { request, attempt };
  }

  async insertUnderConsent(m: EntityManager, d: Omit<VaultDocument, 'consentId'>) {
    const consent = await this.consents.activeFor(m, d.requestId);
    if (!consent) return undefined;
    const supersedesRejected = this.documents
      .values()
      .some((o) => o.caseId === d.caseId && o.status === 'rejected' && o.submittedAt <= d.submittedAt);
    await this.documents.insert(m, { ...d, consentId: consent.id });
    return { consent, supersedesRejected };
  }
}

// ---------------------------------------------------------------------------------------------
// Ports

/** Sealed parts in memory, as plaintext: the fake's job is where things are, not the crypto. */
export class FakeSealedDocuments extends SealedDocuments implements Snapshottable {
  readonly parts = new Map<string, Buffer>();
  readonly shredded: string[] = [];
  /** Calls in order, `seal doc_1/v1/front`, `shred doc_1`: for ordering assertions. */
  readonly calls: string[] = [];

  static key(ref: SealedPartRef): string {
    return `${ref.documentId}/v${ref.version}/${ref.part}`;
  }

  snapshot(): () => void {
    const parts = new Map(this.parts);
    const shredded = this.shredded.length;
    return () => {
      this.parts.clear();
      for (const [k, v] of parts) this.parts.set(k, v);
      this.shredded.splice(shredded);
    };
  }

  put(ref: SealedPartRef, plaintext: Buffer): void {
    this.parts.set(FakeSealedDocuments.key(ref), plaintext);
  }

  /** Part names sealed for a document (`front`, `back`, `fields`, `relay-front`, ...). */
  partsOf(documentId: string): string[] {
    return [...this.parts.keys()]
      .filter((k) => k.startsWith(`${documentId}/`))
      .map((k) => k.split('/')[2]!)
      .sort();
  }

  async seal(m: EntityManager, ref: SealedPartRef, plaintext: Buffer): Promise<void> {
    requireTransaction(m, 'seal');
    this.calls.push(`seal ${FakeSealedDocuments.key(ref)}`);
    this.put(ref, plaintext);
  }

  async open(_m: EntityManager, ref: SealedPartRef): Promise<Buffer> {
    this.calls.push(`open ${FakeSealedDocuments.key(ref)}`);
    const bytes = this.parts.get(FakeSealedDocuments.key(ref));
    if (!bytes) throw new Error(`no sealed part ${FakeSealedDocuments.key(ref)}`);
    return bytes;
  }

  async shred(m: EntityManager, documentId: string): Promise<void> {
    requireTransaction(m, 'shred');
    this.calls.push(`shred ${documentId}`);
    for (const k of [...this.parts.keys()]) if (k.startsWith(`${documentId}/`)) this.parts.delete(k);
    this.shredded.push(documentId);
  }
}

export class FakeAuditTrail extends AuditTrail implements Snapshottable {
  private readonly log = new Log<AuditRecord & { readonly tx: number }>();

  get entries(): ReadonlyArray<AuditRecord & { readonly tx: number }> {
    return this.log.items;
  }

  actions(): string[] {
    return this.entries.map((e) => e.action);
  }

  snapshot(): () => void {
    return this.log.snapshot();
  }

  async record(m: EntityManager, entry: AuditRecord): Promise<void> {
    requireTransaction(m, 'audit record');
    this.log.items.push({ ...entry, tx: txOf(m) });
  }
}

export type EventKind = NonNullable<VaultDocumentEvent['event']['case']>;
export type EventValue<K extends EventKind> = Extract<VaultDocumentEvent['event'], { case: K }>['value'];

export interface WrittenEvent {
  readonly tx: number;
  readonly topic: string;
  readonly key: string;
  readonly tenantId: string;
  readonly message: VaultDocumentEvent;
}

/** The outbox under the real VaultEventWriter: what would be published, and in which transaction. */
export class FakeOutbox implements Snapshottable {
  private readonly log = new Log<WrittenEvent>();
  readonly writer = new VaultEventWriter(this as unknown as OutboxWriter);

  get written(): readonly WrittenEvent[] {
    return this.log.items;
  }

  /** The oneof case of each event, in order (`uploadRequested`, `documentSubmitted`, ...). */
  kinds(): string[] {
    return this.written.map((e) => e.message.event.case ?? 'none');
  }

  /** The value of the only event of a kind (throws when there is not exactly one). */
  only<K extends EventKind>(kind: K): EventValue<K> {
    const found = this.written.filter((e) => e.message.event.case === kind);
    if (found.length !== 1) throw new Error(`expected one ${kind} event, got ${this.kinds().join(', ')}`);
    return found[0]!.message.event.value as unknown as EventValue<K>;
  }

  /** Every event as it would go on the wire, decoded as UTF-8: for "never contains X" checks. */
  wireText(): string {
    return this.written
      .map((e) => Buffer.from(toBinary(VaultDocumentEventSchema, e.message)).toString('utf8'))
      .join('\n');
  }

  snapshot(): () => void {
    return this.log.snapshot();
  }

  async append<D extends DescMessage>(m: EntityManager, e: OutboxEvent<D>): Promise<{ eventId: string }> {
    requireTransaction(m, 'outbox append');
    if (e.topic !== VAULT_DOCUMENT_TOPIC.name) throw new Error(`unexpected topic ${e.topic}`);
    this.log.items.push({
      tx: txOf(m),
      topic: e.topic,
      key: e.key,
      tenantId: e.tenantId,
      message: e.message as unknown as VaultDocumentEvent,
    });
    return { eventId: `evt_${this.log.items.length}` };
  }
}

export class FakeDocumentChecker extends DocumentChecker {
  readonly requests: CheckRequest[] = [];
  outcome: CheckOutcome = { ok: true, sides: [] };
  /** Runs during the check: what "meanwhile, in another tab" looks like. */
  meanwhile: (() => Promise<void> | void) | undefined;

  async check(request: CheckRequest): Promise<CheckOutcome> {
    this.requests.push(request);
    await this.meanwhile?.();
    return this.outcome;
  }
}

/** Appends a readable mark to the bytes, so a test can see what was marked with what. */
export class FakeWatermarker extends Watermarker {
  readonly marks: Array<{
    readonly input: Buffer;
    readonly carrierLabel: string;
    readonly trackingNumber: string;
  }> = [];

  async apply(jpeg: Buffer, mark: { carrierLabel: string; trackingNumber: string }): Promise<Buffer> {
    this.marks.push({ input: jpeg, ...mark });
    return Buffer.concat([jpeg, Buffer.from(`|marked:${mark.carrierLabel}:${mark.trackingNumber}`)]);
  }
}

export class FakeRelayAdapter extends RelayAdapter {
  readonly name: string = 'fake-push';
  readonly deliveries: Array<{ readonly destination: RelayDestination; readonly notice: RelayNotice }> = [];
  failure: Error | undefined;

  async deliver(destination: RelayDestination, notice: RelayNotice): Promise<void> {
    this.deliveries.push({ destination, notice });
    if (this.failure) throw this.failure;
  }
}

// ---------------------------------------------------------------------------------------------
// Clock, ids, metrics, logger

export class TestClock {
  constructor(public now: Date) {}
  readonly fn: Clock = () => new Date(this.now);
  advance(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
  }
}

/** `ur_0000…0001`, `doc_0000…0002`: predictable, and shaped like the real ids. */
export function sequentialIds(): IdGenerator {
  let n = 0;
  return (prefix) => `${prefix}_${String(++n).padStart(32, '0')}`;
}

export function testMetrics(): {
  metrics: VaultMetrics;
  /** A counter's value for the given labels (summed over all labels when none are given). */
  count(name: string, labels?: Record<string, string>): Promise<number>;
} {
  const registry = new Registry();
  const metrics = createVaultMetrics(registry);
  return {
    metrics,
    async count(name, labels = {}) {
      const metric = registry.getSingleMetric(name);
      if (!metric) throw new Error(`no metric ${name}`);
      const { values } = await metric.get();
      return values
        .filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want))
        .reduce((sum, v) => sum + v.value, 0);
    },
  };
}

export interface LogLine {
  readonly level: string;
  readonly fields: unknown;
  readonly msg?: string;
}

export function testLogger(): { logger: PinoLogger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: string) => (fields: unknown, msg?: string) => void lines.push({ level, fields, msg });
  const logger = {
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
  return { logger: logger as unknown as PinoLogger, lines };
}

// ---------------------------------------------------------------------------------------------
// Builders

export const T0 = new Date('2026-12-01T02:00:00Z');
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

export function aCase(over: Partial<VaultCase> = {}): VaultCase {
  return {
    caseId: 'cc_1',
    tenantId: 'ten_1',
    propertyId: 'prop_1',
    parcelId: 'prc_1',
    carrierCode: 'sf-express',
    trackingNumber: 'SF1234567890',
    requiredDocuments: ['resident_id_card'],
    deadline: new Date(T0.getTime() + 5 * DAY),
    recipientNameDigest: 'k1:ZGlnZXN0',
    state: 'open',
    closedAt: null,
    ...over,
  };
}

export function aRequest(over: Partial<UploadRequest> = {}): UploadRequest {
  return {
    id: 'ur_1',
    caseId: 'cc_1',
    tenantId: 'ten_1',
    propertyId: 'prop_1',
    parcelId: 'prc_1',
    requiredDocuments: ['resident_id_card'],
    language: 'zh',
    status: 'open',
    expiresAt: new Date(T0.getTime() + 72 * HOUR),
    replacesRequestId: null,
    attempts: 0,
    createdAt: T0,
    ...over,
  };
}

export function aConsent(over: Partial<Consent> = {}): Consent {
  return {
    id: 'cst_1',
    requestId: 'ur_1',
    textVersion: CONSENT_TEXT_VERSION,
    terms: { purpose: 'customs_clearance', recipient: 'sf-express', retentionDays: 7 },
    language: 'zh',
    givenAt: T0,
    withdrawnAt: null,
    ...over,
  };
}

export function aDocument(over: Partial<VaultDocument> = {}): VaultDocument {
  return {
    id: 'doc_1',
    requestId: 'ur_1',
    caseId: 'cc_1',
    tenantId: 'ten_1',
    propertyId: 'prop_1',
    parcelId: 'prc_1',
    documentType: 'resident_id_card',
    sides: ['front', 'back'],
    version: 1,
    channel: 'resident_upload',
    consentId: 'cst_1',
    attempt: 1,
    status: 'submitted',
    checkSummary: {},
    hasTypedFields: false,
    submittedAt: T0,
    reviewedAt: null,
    reviewerId: null,
    rejectionReason: null,
    purgedAt: null,
    ...over,
  };
}

/** Everything a feature service needs, faked and wired for rollback. */
export function vaultFakes(clockStart: Date = T0) {
  const db = new FakeDatabase();
  const fakes = {
    db,
    uow: new FakeUnitOfWork(db),
    cases: new FakeCaseRepository(),
    requests: new FakeUploadRequestRepository(),
    consents: new FakeConsentRepository(),
    documents: new FakeDocumentRepository(),
    sealed: new FakeSealedDocuments(),
    submissions: undefined as unknown as FakeUploadSubmissions,
    audit: new FakeAuditTrail(),
    outbox: new FakeOutbox(),
    clock: new TestClock(clockStart),
    ids: sequentialIds(),
    ...testMetrics(),
    ...testLogger(),
  };
  fakes.submissions = new FakeUploadSubmissions(fakes.requests, fakes.cases, fakes.consents, fakes.documents);
  db.track(
    fakes.cases,
    fakes.requests,
    fakes.consents,
    fakes.documents,
    fakes.sealed,
    fakes.audit,
    fakes.outbox,
  );
  return fakes;
}
