import { createHash } from 'node:crypto';

/**
 * The evidence bundle's machine-readable manifest: the claim's facts, the tracking history from
 * claims' own projection, the communication log, and every uploaded item by its SHA-256. Pure and
 * deterministic (keys in a fixed order), so the manifest's own SHA-256 — carried by ClaimFiled —
 * can be recomputed by anyone holding the JSON.
 */
export interface ManifestInput {
  readonly bundleId: string;
  readonly createdAt: Date;
  readonly claim: {
    readonly id: string;
    readonly reason: string;
    readonly openedAt: Date;
    readonly parcelId: string;
    readonly carrierCode: string;
    readonly trackingNumber: string;
    readonly lane: string;
  };
  readonly claimed: { readonly currencyCode: string; readonly amountMinor: bigint };
  /** The parcel's insurance as claims knows it (carrier stream or API), null when uninsured/unknown. */
  readonly insurance: { readonly currencyCode: string; readonly amountMinor: bigint; readonly source: string } | null;
  readonly declared: { readonly currencyCode: string; readonly amountMinor: bigint } | null;
  readonly trackingHistory: ReadonlyArray<{
    eventId: string;
    status: string;
    exceptionReason: string | null;
    location: string;
    occurredAt: Date;
    late: boolean;
  }>;
  readonly communicationLog: ReadonlyArray<{
    kind: string;
    at: Date;
    actorId: string | null;
    details: Record<string, unknown>;
  }>;
  /** The claim's state transitions, each with its cause (decisions, filings, carrier decisions). */
  readonly decisionHistory: ReadonlyArray<{
    from: string | null;
    to: string;
    at: Date;
    cause: string;
    actorId: string | null;
  }>;
  readonly items: ReadonlyArray<{
    id: string;
    kind: string;
    subject: string;
    contentType: string;
    sha256: string;
    bytes: number;
  }>;
}

export const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

export function buildManifest(i: ManifestInput): { json: string; sha256: string } {
  const section = (value: unknown) => ({ sha256: sha256Hex(JSON.stringify(value)), entries: value });
  const trackingHistory = i.trackingHistory.map((t) => ({
    eventId: t.eventId,
    status: t.status,
    exceptionReason: t.exceptionReason,
    location: t.location,
    occurredAt: t.occurredAt.toISOString(),
    late: t.late,
  }));
  const communicationLog = i.communicationLog.map((e) => ({
    kind: e.kind,
    at: e.at.toISOString(),
    actorId: e.actorId,
    details: e.details,
  }));
  const decisionHistory = i.decisionHistory.map((d) => ({
    from: d.from,
    to: d.to,
    at: d.at.toISOString(),
    cause: d.cause,
    actorId: d.actorId,
  }));
  const money = (v: { currencyCode: string; amountMinor: bigint } | null) =>
    v && { currencyCode: v.currencyCode, amountMinor: v.amountMinor.toString() };
  const manifest = {
    schema: 'portico.claims.evidence-manifest.v1',
    bundleId: i.bundleId,
    createdAt: i.createdAt.toISOString(),
    claim: { ...i.claim, openedAt: i.claim.openedAt.toISOString() },
    claimed: { currencyCode: i.claimed.currencyCode, amountMinor: i.claimed.amountMinor.toString() },
    insurance: i.insurance && { ...money(i.insurance), source: i.insurance.source },
    declared: money(i.declared),
    trackingHistory: section(trackingHistory),
    communicationLog: section(communicationLog),
    decisionHistory: section(decisionHistory),
    // Each item by the SHA-256 of the bytes claims stores and serves (the re-encoded JPEG, the PDF
    // as uploaded): independent of the rendered bundle PDF, so anyone holding a downloaded item can
    // check it against this list.
    items: i.items.map((it) => ({
      id: it.id,
      kind: it.kind,
      subject: it.subject,
      contentType: it.contentType,
      sha256: it.sha256,
      bytes: it.bytes,
    })),
  };
  const json = JSON.stringify(manifest);
  return { json, sha256: sha256Hex(json) };
}

interface Section<T> {
  readonly sha256: string;
  readonly entries: readonly T[];
}
type MoneyJson = { readonly currencyCode: string; readonly amountMinor: string };

/** The manifest as JSON (what buildManifest writes, what the PDF and the verifier read). */
export interface EvidenceManifest {
  readonly schema: 'portico.claims.evidence-manifest.v1';
  readonly bundleId: string;
  readonly createdAt: string;
  readonly claim: Omit<ManifestInput['claim'], 'openedAt'> & { readonly openedAt: string };
  readonly claimed: MoneyJson;
  readonly insurance: (MoneyJson & { readonly source: string }) | null;
  readonly declared: MoneyJson | null;
  readonly trackingHistory: Section<{
    eventId: string;
    status: string;
    exceptionReason: string | null;
    location: string;
    occurredAt: string;
    late: boolean;
  }>;
  readonly communicationLog: Section<{ kind: string; at: string; actorId: string | null; details: Record<string, unknown> }>;
  readonly decisionHistory: Section<{ from: string | null; to: string; at: string; cause: string; actorId: string | null }>;
  readonly items: ReadonlyArray<ManifestInput['items'][number]>;
}

export function parseManifest(json: string): EvidenceManifest {
  const m = JSON.parse(json) as EvidenceManifest;
  if (m.schema !== 'portico.claims.evidence-manifest.v1') throw new Error(`unknown manifest schema ${String(m.schema)}`);
  return m;
}
