import { buildManifest, sha256Hex, type ManifestInput } from '../evidence/evidence-manifest';

/** A small claim's manifest input for unit specs: two scans, a log entry, two transitions, `items`. */
export function manifestInput(items: ReadonlyArray<{ id: string; kind: string; subject: string; content: Buffer; contentType?: string }>): ManifestInput {
  const at = (h: number) => new Date(Date.UTC(2026, 10, 20, h));
  return {
    bundleId: 'evb_test',
    createdAt: at(12),
    claim: {
      id: 'clm_test',
      reason: 'carrier_damaged',
      openedAt: at(9),
      parcelId: 'pcl_test',
      carrierCode: 'sf-express',
      trackingNumber: 'SF1234567890',
      lane: 'JP-CN',
    },
    claimed: { currencyCode: 'CNY', amountMinor: 128_000n },
    insurance: { currencyCode: 'CNY', amountMinor: 200_000n, source: 'api' },
    declared: { currencyCode: 'CNY', amountMinor: 128_000n },
    trackingHistory: [
      { eventId: 'ev1', status: 'in_transit', exceptionReason: null, location: '上海 Shanghai', occurredAt: at(1), late: false },
      { eventId: 'ev2', status: 'exception', exceptionReason: 'damaged', location: '上海浦东', occurredAt: at(8), late: false },
    ],
    communicationLog: [{ kind: 'damage_assessment', at: at(10), actorId: 'usr_1', details: { severity: 'major' } }],
    decisionHistory: [
      { from: null, to: 'detected', at: at(9), cause: 'detected:carrier_damaged', actorId: null },
      { from: 'detected', to: 'verifying', at: at(10), cause: 'verification_recorded', actorId: 'usr_1' },
    ],
    items: items.map((i) => ({
      id: i.id,
      kind: i.kind,
      subject: i.subject,
      contentType: i.contentType ?? 'image/jpeg',
      sha256: sha256Hex(i.content),
      bytes: i.content.length,
    })),
  };
}

export function manifestOf(items: Parameters<typeof manifestInput>[0]) {
  return buildManifest(manifestInput(items));
}
