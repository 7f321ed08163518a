// Signed heads: the part of the audit trail that lives outside the database.
//
// The hash chain alone only proves the rows are consistent with each other; whoever can write the
// table can also rewrite the chain from any point, or cut off its tail. Every few minutes the head
// (seq, hash) is signed with an Ed25519 key the database never sees and appended to an export the
// database cannot write. A later rewrite or truncation then contradicts a signed head. Production
// points the sink at WORM/object storage (S3 Object Lock or equivalent), so the export itself cannot
// be edited either; the JSON-lines file here is that sink's local form.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { mkdir, open } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  parseHeadLine,
  signAuditHead,
  verifyAuditHeadSignature,
  type AuditHeadSink,
  type ExportedHeadLine,
  type SignedAuditHead,
} from './audit-head';
import { readAuditHead, type Queryable } from './audit-log';
import { countVerification, type AuditMetrics } from './audit-metrics';
import { verifyAuditSegment, type AuditProblem } from './audit-verifier';

export const AUDIT_HEADS_FILE = 'audit-heads.jsonl';

/**
 * Signed heads as JSON lines in `<dir>/audit-heads.jsonl`, each append fsync'd (and the directory
 * when the file is created) before it resolves, so a head reported as exported survives a crash.
 */
export class JsonLinesAuditHeadSink implements AuditHeadSink {
  readonly path: string;
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly dir: string,
    fileName = AUDIT_HEADS_FILE,
  ) {
    this.path = join(dir, fileName);
  }

  append(head: SignedAuditHead): Promise<void> {
    // One append at a time, so lines never interleave within this process.
    const run = this.pending.then(() => this.write(`${JSON.stringify(head)}\n`));
    this.pending = run.catch(() => undefined);
    return run;
  }

  private async write(line: string): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    let created = false;
    let file = await open(this.path, 'ax').then(
      (f) => ((created = true), f),
      (e: NodeJS.ErrnoException) => (e.code === 'EEXIST' ? undefined : Promise.reject(e)),
    );
    file ??= await open(this.path, 'a');
    try {
      await file.appendFile(line, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    if (created) {
      const dir = await open(this.dir, 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    }
  }

  async *read(): AsyncIterable<ExportedHeadLine> {
    const stream = createReadStream(this.path, { encoding: 'utf8' });
    const opened = await new Promise<boolean>((resolve, reject) => {
      stream.once('open', () => resolve(true));
      stream.once('error', (e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? resolve(false) : reject(e)));
    });
    if (!opened) return;
    let line = 0;
    for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
      line++;
      if (text.trim() === '') continue;
      const parsed = parseHeadLine(text);
      yield typeof parsed === 'string' ? { line, malformed: parsed } : { line, head: parsed };
    }
  }
}

/** The newest (highest seq) head in a sink with a valid signature by one of the keys. */
export async function latestValidHead(
  sink: AuditHeadSink,
  publicKeys: readonly KeyObject[],
): Promise<SignedAuditHead | undefined> {
  let latest: SignedAuditHead | undefined;
  for await (const entry of sink.read()) {
    if (!('head' in entry) || !verifyAuditHeadSignature(entry.head, publicKeys)) continue;
    if (!latest || entry.head.seq > latest.seq) latest = entry.head;
  }
  return latest;
}

export type AuditSignOutcome =
  | { outcome: 'empty' }
  | { outcome: 'unchanged'; head: SignedAuditHead }
  | { outcome: 'signed'; head: SignedAuditHead }
  /** The rows since the last signed head do not chain to it: the signer does not vouch for a tampered log. */
  | { outcome: 'refused'; problem: AuditProblem };

export interface AuditHeadSignerOptions {
  /** The service's DataSource (reads committed rows only). */
  db: Queryable;
  privateKey: KeyObject;
  sink: AuditHeadSink;
  metrics?: AuditMetrics;
  now?: () => Date;
  batchSize?: number;
}

/**
 * Signs the head when it moved since the last signed one. Before signing it checks that the rows
 * added since then chain onto the last signed hash, so a chain rewritten between two signings is
 * refused (and counted as a verification failure) instead of being vouched for.
 */
export class AuditHeadSigner {
  private last: SignedAuditHead | undefined;
  private loaded = false;
  private readonly now: () => Date;
  private readonly publicKey: KeyObject;

  constructor(private readonly options: AuditHeadSignerOptions) {
    if (options.privateKey.asymmetricKeyType !== 'ed25519')
      throw new Error('the audit signing key must be Ed25519');
    this.now = options.now ?? (() => new Date());
    this.publicKey = createPublicKey(options.privateKey);
  }

  async signIfMoved(): Promise<AuditSignOutcome> {
    if (!this.loaded) {
      this.last = await latestValidHead(this.options.sink, [this.publicKey]);
      this.loaded = true;
    }
    const head = await readAuditHead(this.options.db);
    const last = this.last;
    if (!head && !last) return { outcome: 'empty' };
    if (head && last && head.seq === last.seq && head.hash.toString('hex') === last.hash) {
      return { outcome: 'unchanged', head: last };
    }
    const problem = await verifyAuditSegment(this.options.db, {
      from: last ? { seq: last.seq, hash: Buffer.from(last.hash, 'hex') } : undefined,
      toSeq: head?.seq ?? 0,
      batchSize: this.options.batchSize,
    });
    countVerification(this.options.metrics, !problem && Boolean(head), this.now());
    if (problem || !head) {
      return {
        outcome: 'refused',
        problem: problem ?? {
          reason: 'truncated_tail',
          seq: 1,
          message: `the audit log is empty but seq ${last?.seq} was signed`,
        },
      };
    }
    const signed = signAuditHead(head, this.options.privateKey, this.now());
    await this.options.sink.append(signed);
    this.last = signed;
    return { outcome: 'signed', head: signed };
  }
}

export interface AuditSigningSchedule {
  /** One signing now (also what the interval runs); never two at once. */
  tick(): Promise<AuditSignOutcome | undefined>;
  /** Stops the interval and waits for a signing in progress. */
  stop(): Promise<void>;
}

/**
 * Runs `signer.signIfMoved()` every `intervalSeconds` (AUDIT_SIGN_INTERVAL_SECONDS) without Nest: the
 * service calls it at start and `stop()` on shutdown. A tick that finds the previous one still running
 * is skipped. Errors (database or sink unreachable) go to onError; the next tick tries again.
 */
export function scheduleAuditHeadSigning(
  signer: Pick<AuditHeadSigner, 'signIfMoved'>,
  options: {
    intervalSeconds: number;
    onOutcome?: (outcome: AuditSignOutcome) => void;
    onError?: (error: unknown) => void;
  },
): AuditSigningSchedule {
  let running: Promise<AuditSignOutcome | undefined> | undefined;
  const tick = (): Promise<AuditSignOutcome | undefined> => {
    if (running) return running.then(() => undefined);
    running = signer
      .signIfMoved()
      .then(
        (outcome) => (options.onOutcome?.(outcome), outcome),
        (error: unknown) => (options.onError?.(error), undefined),
      )
      .finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => void tick(), options.intervalSeconds * 1_000);
  timer.unref();
  return {
    tick,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
