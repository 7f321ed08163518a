import type { KeyObject } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { auditEntryHash, GENESIS_HASH } from './audit-chain';
import type { AuditRecord } from './audit-entry';
import { AUDIT_COLUMNS, toAuditRecord, type AuditHead, type AuditRow, type Queryable } from './audit-log';
import { countVerification, type AuditMetrics } from './audit-metrics';
import { verifyAuditHeadSignature, type AuditHeadSink, type SignedAuditHead } from './audit-head';

/**
 * Why the log is not intact:
 * - hash_mismatch: a row's content does not hash to its stored hash (the row was edited);
 * - prev_hash_mismatch: a row does not link to its predecessor (a row was replaced, or edited and re-hashed);
 * - seq_gap: seq numbers are missing (rows were deleted);
 * - signed_head_mismatch: a row's hash differs from the hash signed for its seq (the chain was rewritten);
 * - truncated_tail: a signed head lies beyond the end of the log (the newest rows were deleted);
 * - forged_head / malformed_head: an exported head whose signature does not verify, or that does not parse;
 * - unverifiable_heads: heads were exported but no public key was given to check them.
 */
export type AuditProblemReason =
  | 'hash_mismatch'
  | 'prev_hash_mismatch'
  | 'seq_gap'
  | 'signed_head_mismatch'
  | 'truncated_tail'
  | 'forged_head'
  | 'malformed_head'
  | 'unverifiable_heads';

/** One finding. The message names seqs, hashes and export line numbers only: never an entry's content. */
export interface AuditProblem {
  reason: AuditProblemReason;
  /** The first seq concerned (for export problems: the seq the line claims, when it parses). */
  seq?: number;
  /** 1-based line in the export, for problems found there. */
  line?: number;
  message: string;
}

export interface AuditVerificationReport {
  ok: boolean;
  /** Rows whose hash and link were recomputed. */
  entriesChecked: number;
  /** The last row of the log as read (in the verifier's snapshot). */
  head?: { seq: number; hash: string };
  /** Exported heads with a valid signature, and the newest of them. */
  signedHeads: { valid: number; latest?: SignedAuditHead };
  /** Chain problems first (the walk stops at the first), then problems of the export. */
  problems: AuditProblem[];
  /** What could not be checked (no export given, export empty). Not failures. */
  warnings: string[];
}

export interface VerifyAuditLogOptions {
  dataSource: DataSource;
  /** The export of signed heads; without it truncation and whole-chain rewrites are undetectable. */
  heads?: AuditHeadSink;
  publicKeys?: readonly KeyObject[];
  /** Rows per query: the walk streams, it never holds the log in memory. */
  batchSize?: number;
  metrics?: AuditMetrics;
}

const DEFAULT_BATCH = 1_000;

interface WalkResult {
  problem?: AuditProblem;
  entries: number;
  last?: AuditHead;
}

/**
 * Recomputes the chain after `start` (seq and hash of a row trusted already; genesis by default) in
 * keyset-paginated batches, up to `toSeq` when given. Stops at the first problem.
 */
async function walkChain(
  db: Queryable,
  options: {
    start?: AuditHead;
    toSeq?: number;
    batchSize: number;
    check?: (record: AuditRecord) => AuditProblem | undefined;
  },
): Promise<WalkResult> {
  let lastSeq = options.start?.seq ?? 0;
  let prevHash = options.start?.hash ?? GENESIS_HASH;
  let entries = 0;
  for (;;) {
    const params: unknown[] = [lastSeq, options.batchSize];
    if (options.toSeq !== undefined) params.push(options.toSeq);
    const rows: AuditRow[] = await db.query(
      `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE seq > $1${options.toSeq !== undefined ? ' AND seq <= $3' : ''}
       ORDER BY seq LIMIT $2`,
      params,
    );
    for (const row of rows) {
      const record = toAuditRecord(row);
      const expected = lastSeq + 1;
      const last = { seq: lastSeq, hash: prevHash };
      if (record.seq !== expected) {
        const missing =
          record.seq - 1 === expected ? `seq ${expected} is` : `seqs ${expected}..${record.seq - 1} are`;
        return {
          entries,
          last,
          problem: { reason: 'seq_gap', seq: expected, message: `${missing} missing: rows were deleted` },
        };
      }
      if (!record.prevHash.equals(prevHash)) {
        return {
          entries,
          last,
          problem: {
            reason: 'prev_hash_mismatch',
            seq: record.seq,
            message: `seq ${record.seq} does not link to seq ${lastSeq} (prev_hash ${hex(record.prevHash)}, expected ${hex(prevHash)}): a row was replaced or re-hashed`,
          },
        };
      }
      const recomputed = auditEntryHash(record.prevHash, record);
      if (!recomputed.equals(record.hash)) {
        return {
          entries,
          last,
          problem: {
            reason: 'hash_mismatch',
            seq: record.seq,
            message: `seq ${record.seq}: stored hash ${hex(record.hash)} but the content hashes to ${hex(recomputed)}: the row was edited`,
          },
        };
      }
      const problem = options.check?.(record);
      if (problem) return { entries, last, problem };
      entries++;
      lastSeq = record.seq;
      prevHash = record.hash;
    }
    if (rows.length < options.batchSize) break;
  }
  const last = lastSeq > 0 ? { seq: lastSeq, hash: prevHash } : undefined;
  if (options.toSeq !== undefined && lastSeq < options.toSeq) {
    return {
      entries,
      last,
      problem: {
        reason: 'seq_gap',
        seq: lastSeq + 1,
        message: `seqs ${lastSeq + 1}..${options.toSeq} are missing: rows were deleted`,
      },
    };
  }
  return { entries, last };
}

/**
 * Checks that the rows after a signed head still chain onto it, up to `toSeq`: what the head signer
 * runs before signing a new head (cheap: only the rows added since). Undefined when intact.
 */
export async function verifyAuditSegment(
  db: Queryable,
  options: { from?: AuditHead; toSeq: number; batchSize?: number },
): Promise<AuditProblem | undefined> {
  const { from } = options;
  if (from) {
    if (options.toSeq < from.seq) {
      return {
        reason: 'truncated_tail',
        seq: options.toSeq + 1,
        message: `seq ${from.seq} was signed but the log ends at seq ${options.toSeq}: the newest rows were deleted`,
      };
    }
    const rows: { hash: Buffer }[] = await db.query('SELECT hash FROM audit_log WHERE seq = $1', [from.seq]);
    if (!rows[0])
      return {
        reason: 'seq_gap',
        seq: from.seq,
        message: `the signed seq ${from.seq} is missing: rows were deleted`,
      };
    if (!rows[0].hash.equals(from.hash)) {
      return {
        reason: 'signed_head_mismatch',
        seq: from.seq,
        message: `seq ${from.seq} has hash ${hex(rows[0].hash)} but ${hex(from.hash)} was signed: the chain was rewritten`,
      };
    }
  }
  const walk = await walkChain(db, {
    start: from,
    toSeq: options.toSeq,
    batchSize: options.batchSize ?? DEFAULT_BATCH,
  });
  return walk.problem;
}

/**
 * Verifies the whole log in one read-only REPEATABLE READ snapshot (a consistent view while appends
 * go on): every hash recomputed, every link and seq checked, every exported head's signature checked,
 * each signed head compared with the row at its seq, and the newest signed head compared with the
 * end of the log. Counts the run in portico_vault_audit_chain_verifications_total{outcome}.
 */
export async function verifyAuditLog(options: VerifyAuditLogOptions): Promise<AuditVerificationReport> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const publicKeys = options.publicKeys ?? [];
  const warnings: string[] = [];
  const exportProblems: AuditProblem[] = [];
  const signedBySeq = new Map<number, { head: SignedAuditHead; line: number }[]>();
  let latest: SignedAuditHead | undefined;
  let valid = 0;

  if (!options.heads) {
    warnings.push('no signed-head export given: a truncated tail or a rewritten chain cannot be detected');
  } else {
    let lines = 0;
    for await (const entry of options.heads.read()) {
      lines++;
      if (!('head' in entry)) {
        exportProblems.push({
          reason: 'malformed_head',
          line: entry.line,
          message: `export line ${entry.line}: ${entry.malformed}`,
        });
        continue;
      }
      const { head, line } = entry;
      if (publicKeys.length === 0) continue;
      if (!verifyAuditHeadSignature(head, publicKeys)) {
        exportProblems.push({
          reason: 'forged_head',
          seq: head.seq,
          line,
          message: `export line ${line} (seq ${head.seq}, key ${head.key_id}): the signature does not verify with the given public key(s)`,
        });
        continue;
      }
      valid++;
      signedBySeq.set(head.seq, [...(signedBySeq.get(head.seq) ?? []), { head, line }]);
      if (!latest || head.seq > latest.seq) latest = head;
    }
    if (lines > 0 && publicKeys.length === 0) {
      exportProblems.push({
        reason: 'unverifiable_heads',
        message: `the export has ${lines} line(s) but no public key was given to verify them`,
      });
    }
    if (lines === 0) warnings.push('the export has no signed heads yet: a truncated tail cannot be detected');
  }

  // The export is read before the snapshot is taken, on purpose: every head read was signed from
  // rows committed before it, so they are all in the snapshot. The other way round, a head signed
  // between the snapshot and the export read would look like a truncated tail.
  const runner = options.dataSource.createQueryRunner();
  let walk: WalkResult;
  let endSeq: number;
  try {
    await runner.connect();
    await runner.startTransaction('REPEATABLE READ');
    await runner.query('SET TRANSACTION READ ONLY');
    walk = await walkChain(runner, {
      batchSize,
      check(record) {
        const hash = hex(record.hash);
        const contradicted = signedBySeq.get(record.seq)?.find((s) => s.head.hash !== hash);
        if (!contradicted) return undefined;
        return {
          reason: 'signed_head_mismatch',
          seq: record.seq,
          message: `seq ${record.seq} has hash ${hash} but ${contradicted.head.hash} was signed at ${contradicted.head.signed_at} (export line ${contradicted.line}): the chain was rewritten`,
        };
      },
    });
    const max: { seq: string | null }[] = await runner.query('SELECT max(seq) AS seq FROM audit_log');
    endSeq = Number(max[0]?.seq ?? 0);
  } finally {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    await runner.release();
  }

  const problems: AuditProblem[] = walk.problem ? [walk.problem] : [];
  if (latest && latest.seq > endSeq) {
    problems.push({
      reason: 'truncated_tail',
      seq: endSeq + 1,
      message: `seq ${latest.seq} was signed at ${latest.signed_at} but the log ends at seq ${endSeq}: seqs ${endSeq + 1}..${latest.seq} were deleted`,
    });
  }
  problems.push(...exportProblems);
  const ok = problems.length === 0;
  countVerification(options.metrics, ok);
  const head = walk.problem ? undefined : walk.last;
  return {
    ok,
    entriesChecked: walk.entries,
    head: head ? { seq: head.seq, hash: hex(head.hash) } : undefined,
    signedHeads: { valid, latest },
    problems,
    warnings,
  };
}

/** The report as text lines for an operator: ids, seqs and hashes only. */
export function formatAuditReport(report: AuditVerificationReport): string[] {
  const lines: string[] = [];
  if (report.ok) {
    lines.push(
      `audit log intact: ${report.entriesChecked} entries verified` +
        (report.head ? `, head seq ${report.head.seq} hash ${report.head.hash}` : ', log empty') +
        `; ${report.signedHeads.valid} signed head(s) valid` +
        (report.signedHeads.latest ? `, latest seq ${report.signedHeads.latest.seq}` : ''),
    );
  } else {
    const first = report.problems[0];
    lines.push(
      `audit log NOT intact: ${first.reason}${first.seq !== undefined ? ` at seq ${first.seq}` : ''}` +
        `${first.line !== undefined ? ` (export line ${first.line})` : ''}`,
    );
    for (const p of report.problems) lines.push(`  - ${p.reason}: ${p.message}`);
    lines.push(`  (${report.entriesChecked} entries verified before the first chain problem)`);
  }
  for (const w of report.warnings) lines.push(`warning: ${w}`);
  return lines;
}

function hex(b: Buffer): string {
  return b.toString('hex');
}
