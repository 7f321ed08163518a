import { common, recipientDigest, vault, type DigestKey } from '@portico/contracts';
import { DocumentCheckInputError } from './check-input-error';
import { describeFailure } from './check-messages';
import {
  DEFAULT_DOCUMENT_CHECK_CONFIG,
  runDocumentChecks,
  toProtoCheckFailure,
  type DocumentCheckContext,
  type DocumentSubmission,
} from './document-checks';
import { cardPhoto, noisyPlane, PDF_BYTES } from './fixtures/synthetic-images';
import { idNumberCheckCharacter } from './id-number';

const { DocumentSide: Side, DocumentType: Type } = common;
const key: DigestKey = { id: 'k1', secret: 'document-checks-test-secret-00000' };
const reference = new Date('2026-12-01T02:00:00Z');
const context: DocumentCheckContext = {
  reference,
  digestKeys: [key],
  waybillNameDigest: recipientDigest('name', '王·小明', key),
};
// Built from the algorithm; not a real person's number.
const first17 = '33010619880808231';
const validId = first17 + idNumberCheckCharacter(first17);
const badId = first17 + (validId.endsWith('0') ? '1' : '0');

describe('runDocumentChecks', () => {
  let front: Buffer;
  let back: Buffer;
  let blurryFront: Buffer;
  beforeAll(async () => {
    [front, back, blurryFront] = await Promise.all([
      cardPhoto({ width: 800, height: 600 }),
      cardPhoto({ width: 800, height: 600, angle: 8, background: '#3c4650' }),
      cardPhoto({ width: 800, height: 600, blur: 6 }),
    ]);
  });

  const idCard = (overrides: Partial<DocumentSubmission> = {}): DocumentSubmission => ({
    requestedType: Type.RESIDENT_ID_CARD,
    sides: [
      { side: Side.FRONT, bytes: front },
      { side: Side.BACK, bytes: back },
    ],
    typed: { idNumber: validId, cardExpiry: '2016.05.01-2036.05.01', name: '王小明' },
    ...overrides,
  });

  it('passes a good submission and returns the normalised JPEG of each side', async () => {
    const result = await runDocumentChecks(idCard(), context);
    if (!result.ok) throw new Error(JSON.stringify(result.failures));
    expect(result.sides.map((s) => s.side)).toEqual([Side.FRONT, Side.BACK]);
    for (const side of result.sides) {
      expect([...side.jpeg.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
      expect([side.width, side.height]).toEqual([800, 600]);
      expect(side.sharpness).toBeGreaterThanOrEqual(DEFAULT_DOCUMENT_CHECK_CONFIG.minSharpness);
    }
  });

  it('collects every failure at once, each with its side when it has one', async () => {
    const result = await runDocumentChecks(
      idCard({
        sides: [{ side: Side.FRONT, bytes: blurryFront }],
        typed: { idNumber: badId, cardExpiry: '2020-01-31', name: '王晓明' },
      }),
      context,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.failures).toEqual([
      { code: 'side_missing', side: Side.BACK },
      { code: 'blurry', side: Side.FRONT },
      { code: 'id_number_checksum' },
      { code: 'card_expired' },
      { code: 'name_mismatch' },
    ]);
    expect(result.failures.map(toProtoCheckFailure).map((f) => [f.code, f.side])).toEqual([
      [vault.DocumentCheckCode.SIDE_MISSING, Side.BACK],
      [vault.DocumentCheckCode.BLURRY, Side.FRONT],
      [vault.DocumentCheckCode.ID_NUMBER_CHECKSUM, Side.UNSPECIFIED],
      [vault.DocumentCheckCode.CARD_EXPIRED, Side.UNSPECIFIED],
      [vault.DocumentCheckCode.NAME_MISMATCH, Side.UNSPECIFIED],
    ]);
  });

  it('stops only at an undecodable side: the other side and the typed fields are still checked', async () => {
    const result = await runDocumentChecks(
      idCard({
        sides: [
          { side: Side.FRONT, bytes: PDF_BYTES },
          { side: Side.BACK, bytes: blurryFront },
        ],
        typed: { idNumber: badId },
      }),
      context,
    );
    expect(result).toEqual({
      ok: false,
      failures: [
        { code: 'wrong_file_type', side: Side.FRONT },
        { code: 'blurry', side: Side.BACK },
        { code: 'id_number_checksum' },
      ],
    });
  });

  it('checks the card shape for cards only, and the GB 11643 number for resident ID cards only', async () => {
    const page = await noisyPlane(600, 600, '#888888', 80, 3); // sharp texture, square: not a card
    const asCard = await runDocumentChecks(
      idCard({
        sides: [
          { side: Side.FRONT, bytes: page },
          { side: Side.BACK, bytes: back },
        ],
      }),
      context,
    );
    expect(asCard).toEqual({ ok: false, failures: [{ code: 'card_aspect_ratio', side: Side.FRONT }] });
    const passport = await runDocumentChecks(
      {
        requestedType: Type.PASSPORT,
        sides: [{ side: Side.SINGLE_PAGE, bytes: page }],
        typed: { idNumber: 'E12345678', cardExpiry: '2031-07-01', name: '王 小明' },
      },
      context,
    );
    expect(passport.ok).toBe(true);
  });

  it('checks the expiry against the reference the caller chose (e.g. the case deadline)', async () => {
    const submission = idCard({ typed: { cardExpiry: '2026-12-05' } });
    expect((await runDocumentChecks(submission, context)).ok).toBe(true);
    const atDeadline = await runDocumentChecks(submission, {
      ...context,
      reference: new Date('2026-12-06T01:00:00Z'),
    });
    expect(atDeadline).toEqual({ ok: false, failures: [{ code: 'card_expired' }] });
  });

  it('skips the name check when the waybill carried no name, and blank typed fields', async () => {
    const noDigest = { reference, digestKeys: [key] };
    expect((await runDocumentChecks(idCard({ typed: { name: 'Anyone' } }), noDigest)).ok).toBe(true);
    expect(
      (await runDocumentChecks(idCard({ typed: { idNumber: ' ', cardExpiry: '', name: '' } }), context)).ok,
    ).toBe(true);
  });

  it('takes limits and thresholds from the config', async () => {
    const strict = { ...DEFAULT_DOCUMENT_CHECK_CONFIG, maxBytes: 1_000, minSharpness: 1e9 };
    const result = await runDocumentChecks(idCard({ typed: {} }), { ...context, config: strict });
    expect(result).toEqual({
      ok: false,
      failures: [
        { code: 'too_large', side: Side.FRONT },
        { code: 'too_large', side: Side.BACK },
      ],
    });
    const picky = await runDocumentChecks(idCard({ typed: {} }), {
      ...context,
      config: { ...DEFAULT_DOCUMENT_CHECK_CONFIG, minSharpness: 1e9 },
    });
    expect(picky).toMatchObject({ ok: false, failures: [{ code: 'blurry' }, { code: 'blurry' }] });
  });

  it('never puts the typed ID number or name into failures, messages or errors', async () => {
    const name = '王晓明';
    const result = await runDocumentChecks(idCard({ sides: [], typed: { idNumber: badId, name } }), context);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.failures).toContainEqual({ code: 'id_number_checksum' });
    const emitted = JSON.stringify([
      result,
      result.failures.map(describeFailure),
      result.failures.map(toProtoCheckFailure),
    ]);
    for (const secret of [badId, badId.slice(0, 10), name]) expect(emitted).not.toContain(secret);

    // A malformed expiry is a request error; the error names the field, not what was typed.
    const typedExpiry = `${validId} 王晓明`;
    const error = await runDocumentChecks(idCard({ typed: { cardExpiry: typedExpiry } }), context).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DocumentCheckInputError);
    expect((error as DocumentCheckInputError).field).toBe('cardExpiry');
    const serialised = `${(error as Error).message} ${(error as Error).stack} ${JSON.stringify(error)}`;
    expect(serialised).not.toContain(validId);
    expect(serialised).not.toContain('王晓明');
  });
});
