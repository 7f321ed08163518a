import { manifestOf } from '../test-support/evidence-manifest-fixture';
import { describeProblems, verifyBundle } from './evidence-verification';

const photo = { id: 'evi_1', kind: 'photo', subject: 'damage', content: Buffer.from('jpeg bytes 1') };
const receipt = { id: 'evi_2', kind: 'value_proof', subject: 'invoice', content: Buffer.from('%PDF-1.7 …'), contentType: 'application/pdf' };

describe('evidence bundle verification', () => {
  const { json, sha256 } = manifestOf([photo, receipt]);

  it('reports an intact bundle as intact', () => {
    const report = verifyBundle(json, sha256, [photo, receipt]);
    expect(report.ok).toBe(true);
    expect(report.items.map((i) => i.status)).toEqual(['ok', 'ok']);
    expect(report.sections.map((s) => s.name)).toEqual(['trackingHistory', 'communicationLog', 'decisionHistory']);
    expect(describeProblems(report)).toEqual([]);
  });

  it('finds a tampered and a missing item, by id and hash', () => {
    const report = verifyBundle(json, sha256, [{ id: 'evi_1', content: Buffer.from('jpeg bytes 2') }]);
    expect(report.ok).toBe(false);
    expect(report.items).toEqual([
      expect.objectContaining({ id: 'evi_1', status: 'mismatch' }),
      expect.objectContaining({ id: 'evi_2', status: 'missing', actual: null }),
    ]);
    expect(describeProblems(report)).toEqual([
      expect.stringMatching(/^item evi_1: sha256 [0-9a-f]{64}, manifest [0-9a-f]{64}$/),
      expect.stringMatching(/^item evi_2: missing/),
    ]);
  });

  it('finds an edited manifest: its own hash, and a section edited without recomputing it', () => {
    const edited = json.replace('"severity":"major"', '"severity":"minor"');
    const report = verifyBundle(edited, sha256, [photo, receipt]);
    expect(report.manifest.ok).toBe(false);
    expect(report.sections.find((s) => s.name === 'communicationLog')?.ok).toBe(false);
    expect(report.sections.find((s) => s.name === 'trackingHistory')?.ok).toBe(true);
    expect(report.ok).toBe(false);
  });

  it('ignores items uploaded after the bundle (they are not in its manifest)', () => {
    const report = verifyBundle(json, sha256, [photo, receipt, { id: 'evi_3', content: Buffer.from('later') }]);
    expect(report.ok).toBe(true);
    expect(report.items).toHaveLength(2);
  });
});
