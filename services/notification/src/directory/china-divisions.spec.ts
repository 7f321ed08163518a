import { placeKey } from './address';
import { citiesOf, provinceOf, uniqueCity } from './address-places';
import { CHINA_DIVISIONS_VERSION, CITIES, PROVINCES, SHARED_CITY_SPELLINGS } from './china-divisions';

describe('China divisions alias table', () => {
  it('is versioned', () => {
    expect(CHINA_DIVISIONS_VERSION).toMatch(/^\d{4}\.\d{2}\.\d+$/);
  });

  it('has every province-level division once: 4 municipalities, 23 provinces, 5 autonomous regions, 2 SARs', () => {
    expect(new Set(PROVINCES.map((p) => p.code)).size).toBe(34);
    const kinds = PROVINCES.reduce<Record<string, number>>(
      (n, p) => ({ ...n, [p.kind]: (n[p.kind] ?? 0) + 1 }),
      {},
    );
    expect(kinds).toEqual({ municipality: 4, province: 23, autonomous_region: 5, sar: 2 });
  });

  it('gives every division and city a Chinese name first and at least one Latin spelling', () => {
    for (const entry of [...PROVINCES, ...CITIES]) {
      expect(entry.names[0]).toMatch(/^\p{Script=Han}+$/u);
      expect(entry.names.some((n) => /^[A-Za-z][A-Za-z' ]+$/.test(n))).toBe(true);
    }
  });

  it('holds at least the hundred largest cities, each in a division of the table', () => {
    expect(CITIES.length).toBeGreaterThanOrEqual(100);
    const codes = new Set(PROVINCES.map((p) => p.code));
    for (const city of CITIES) expect(codes.has(city.province)).toBe(true);
  });

  it('finds each division by every spelling, with and without its suffix', () => {
    for (const p of PROVINCES) {
      for (const name of p.names) expect([name, provinceOf(placeKey(name))]).toEqual([name, p.code]);
    }
    expect(provinceOf(placeKey('广东'))).toBe('GD');
    expect(provinceOf(placeKey('Guangdong Province'))).toBe('GD');
    expect(provinceOf(placeKey('广西'))).toBe('GX');
    expect(provinceOf(placeKey('Guangxi Zhuang Autonomous Region'))).toBe('GX');
    expect(provinceOf(placeKey('Hong Kong SAR'))).toBe('HK');
    expect(provinceOf(placeKey('Shanghai Shi'))).toBe('SH');
  });

  it('never lets one spelling name two divisions (Shanxi is not Shaanxi)', () => {
    const seen = new Map<string, string>();
    for (const p of PROVINCES) {
      for (const name of p.names) {
        const key = placeKey(name);
        expect([name, seen.get(key) ?? p.code]).toEqual([name, p.code]);
        seen.set(key, p.code);
      }
    }
    expect(provinceOf(placeKey('Shanxi'))).toBe('SX');
    expect(provinceOf(placeKey('Shaanxi'))).toBe('SN');
  });

  it('finds each city by its Chinese name and short form, and by its Latin spellings', () => {
    for (const city of CITIES) {
      const short = city.names[0]!.replace(/市$/u, '');
      for (const name of [...city.names, short]) {
        expect([name, citiesOf(placeKey(name), city.province).length]).toEqual([name, 1]);
      }
    }
  });

  it('shares a spelling between cities only where declared, and then only the region decides', () => {
    const owners = new Map<string, Set<number>>();
    CITIES.forEach((city, id) => {
      for (const name of city.names)
        owners.set(placeKey(name), new Set([...(owners.get(placeKey(name)) ?? []), id]));
    });
    const shared = [...owners].filter(([, ids]) => ids.size > 1).map(([key]) => key);
    expect(shared.sort()).toEqual(SHARED_CITY_SPELLINGS.map(placeKey).sort());
    expect(uniqueCity('suzhou', undefined)).toBeUndefined();
    expect(uniqueCity('suzhou', 'JS')).toEqual(uniqueCity(placeKey('苏州市'), undefined));
    expect(uniqueCity('suzhou', 'AH')).toEqual(uniqueCity(placeKey('宿州'), undefined));
  });
});
