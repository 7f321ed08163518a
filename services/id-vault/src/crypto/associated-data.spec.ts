import { contentAad, contentRef, dataKeyAad, versionRef } from './associated-data';

const DOC = '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b';
const OTHER = '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6c';

describe('associated data', () => {
  it('is canonical: an upper-case document id gives the same bytes', () => {
    expect(contentAad(contentRef(DOC.toUpperCase(), 1, 'front'))).toEqual(
      contentAad(contentRef(DOC, 1, 'front')),
    );
    expect(versionRef(DOC.toUpperCase(), 3).documentId).toBe(DOC);
  });

  it('differs for every field it binds', () => {
    const base = contentAad(contentRef(DOC, 1, 'front'));
    expect(contentAad(contentRef(OTHER, 1, 'front'))).not.toEqual(base);
    expect(contentAad(contentRef(DOC, 2, 'front'))).not.toEqual(base);
    expect(contentAad(contentRef(DOC, 1, 'back'))).not.toEqual(base);
    const key = dataKeyAad('k1', versionRef(DOC, 1));
    expect(dataKeyAad('k2', versionRef(DOC, 1))).not.toEqual(key);
    expect(dataKeyAad('k1', versionRef(DOC, 2))).not.toEqual(key);
    expect(dataKeyAad('k1', versionRef(OTHER, 1))).not.toEqual(key);
  });

  it('separates purposes, so a content AAD can never equal a data-key AAD', () => {
    expect(contentAad(contentRef(DOC, 1, 'k1')).equals(dataKeyAad('k1', versionRef(DOC, 1)))).toBe(false);
  });

  it('is a length-prefixed list of purpose, format and fields, so no field can bleed into the next', () => {
    const decode = (aad: Buffer): string[] => {
      const fields: string[] = [];
      for (let at = 0; at < aad.length;) {
        const length = aad.readUInt32BE(at);
        fields.push(aad.subarray(at + 4, at + 4 + length).toString('utf8'));
        at += 4 + length;
      }
      return fields;
    };
    expect(decode(contentAad(contentRef(DOC, 12, 'back')))).toEqual([
      'portico.id-vault.content',
      '1',
      DOC,
      '12',
      'back',
    ]);
    expect(decode(dataKeyAad('k-2026.1', versionRef(DOC, 3)))).toEqual([
      'portico.id-vault.data-key',
      '1',
      'k-2026.1',
      DOC,
      '3',
    ]);
  });

  it('rejects references that are not ids, without echoing them', () => {
    expect(() => versionRef('not-a-uuid', 1)).toThrow('documentId must be a uuid');
    expect(() => versionRef(DOC, 0)).toThrow(/version/);
    expect(() => versionRef(DOC, 1.5)).toThrow(/version/);
    expect(() => versionRef(DOC, 2 ** 31)).toThrow(/version/);
    expect(() => contentRef(DOC, 1, 'Front')).toThrow(/side/);
    expect(() => contentRef(DOC, 1, 'front/../x')).toThrow(/side/);
    let message = '';
    try {
      versionRef('张三 110101199003077777', 1);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).not.toContain('110101');
  });
});
