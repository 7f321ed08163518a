import { parseManifest, sha256Hex } from './evidence-manifest';

/**
 * Re-checks a stored evidence bundle: the manifest's bytes against the SHA-256 recorded for it
 * (the one on ClaimFiled), each section's entries against its own SHA-256, and every listed item's
 * stored bytes against the SHA-256 the manifest gives. Pure: the caller loads the rows. Problems
 * name ids and hashes only.
 */
export type ItemStatus = 'ok' | 'mismatch' | 'missing';

export interface VerificationReport {
  readonly ok: boolean;
  readonly bundleId: string;
  readonly manifest: { readonly expected: string; readonly actual: string; readonly ok: boolean };
  readonly sections: ReadonlyArray<{ readonly name: string; readonly ok: boolean }>;
  readonly items: ReadonlyArray<{
    readonly id: string;
    readonly status: ItemStatus;
    readonly expected: string;
    readonly actual: string | null;
  }>;
}

export interface StoredContent {
  readonly id: string;
  readonly content: Buffer;
}

const SECTIONS = ['trackingHistory', 'communicationLog', 'decisionHistory'] as const;

export function verifyBundle(
  manifestJson: string,
  recordedSha256: string,
  stored: readonly StoredContent[],
): VerificationReport {
  const actualManifest = sha256Hex(manifestJson);
  const manifest = parseManifest(manifestJson);
  const sections = SECTIONS.filter((name) => manifest[name] !== undefined).map((name) => ({
    name,
    ok: sha256Hex(JSON.stringify(manifest[name].entries)) === manifest[name].sha256,
  }));
  const byId = new Map(stored.map((s) => [s.id, s.content]));
  const items = manifest.items.map((it) => {
    const content = byId.get(it.id);
    if (!content) return { id: it.id, status: 'missing' as const, expected: it.sha256, actual: null };
    const actual = sha256Hex(content);
    return { id: it.id, status: actual === it.sha256 ? ('ok' as const) : ('mismatch' as const), expected: it.sha256, actual };
  });
  const manifestOk = actualManifest === recordedSha256;
  return {
    ok: manifestOk && sections.every((s) => s.ok) && items.every((i) => i.status === 'ok'),
    bundleId: manifest.bundleId,
    manifest: { expected: recordedSha256, actual: actualManifest, ok: manifestOk },
    sections,
    items,
  };
}

/** One line per problem, for the verify command and logs (ids and hashes only). */
export function describeProblems(r: VerificationReport): string[] {
  const lines: string[] = [];
  if (!r.manifest.ok) lines.push(`manifest: sha256 ${r.manifest.actual}, recorded ${r.manifest.expected}`);
  for (const s of r.sections) if (!s.ok) lines.push(`section ${s.name}: entries do not match its sha256`);
  for (const i of r.items) {
    if (i.status === 'missing') lines.push(`item ${i.id}: missing (manifest sha256 ${i.expected})`);
    if (i.status === 'mismatch') lines.push(`item ${i.id}: sha256 ${i.actual}, manifest ${i.expected}`);
  }
  return lines;
}
