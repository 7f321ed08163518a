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
  readonly items: ReadonlyArray<{
    id: string;
    kind: string;
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
  const manifest = {
    schema: 'portico.claims.evidence-manifest.v1',
    bundleId: i.bundleId,
    createdAt: i.createdAt.toISOString(),
    claim: { ...i.claim, openedAt: i.claim.openedAt.toISOString() },
    claimed: { currencyCode: i.claimed.currencyCode, amountMinor: i.claimed.amountMinor.toString() },
    trackingHistory: section(trackingHistory),
    communicationLog: section(communicationLog),
    items: i.items.map((it) => ({
      id: it.id,
      kind: it.kind,
      contentType: it.contentType,
      sha256: it.sha256,
      bytes: it.bytes,
    })),
  };
  const json = JSON.stringify(manifest);
  return { json, sha256: sha256Hex(json) };
}
