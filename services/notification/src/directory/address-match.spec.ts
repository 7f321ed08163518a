import { addressKeys } from './address';
import { matchBuilding, type AddressRule, type CarrierAddress, type PropertyAddress } from './address-match';

interface Written {
  country?: string;
  region?: string;
  city?: string;
  district?: string;
  postalCode?: string;
  addressLine: string;
}

/** A directory property as the import stores it. */
function stored(a: Written): PropertyAddress {
  const keys = addressKeys({
    country: a.country ?? '',
    city: a.city ?? '',
    postalCode: a.postalCode ?? '',
    addressLine: a.addressLine,
  });
  return { ...keys, region: a.region ?? '', city: a.city ?? '', district: a.district ?? '' };
}

function carrier(a: Written): CarrierAddress {
  return {
    countryCode: a.country ?? '',
    region: a.region ?? '',
    city: a.city ?? '',
    district: a.district ?? '',
    postalCode: a.postalCode ?? '',
    addressLine: a.addressLine,
  };
}

const PUDONG: Written = {
  country: 'CN',
  region: 'Shanghai',
  city: 'Shanghai',
  district: 'Pudong',
  postalCode: '200120',
  addressLine: '88 Century Avenue, Tower A',
};
const NANSHAN_SZ: Written = {
  country: 'CN',
  region: 'Guangdong',
  city: 'Shenzhen',
  district: 'Nanshan District',
  addressLine: '科苑路15号',
};
const GULOU_FZ: Written = { country: 'CN', region: 'Fujian', city: 'Fuzhou', addressLine: '五四路100号' };
const SUZHOU_JS: Written = { region: '江苏省', city: '苏州市', addressLine: '干将路1号' };
const HK: Written = {
  country: 'HK',
  region: 'Hong Kong',
  city: 'Hong Kong',
  addressLine: '1 Queens Road Central',
};

// [case, directory, carrier, expected rule (null: not a candidate)]
const cases: Array<[string, Written, Written, AddressRule | null]> = [
  // same spelling after normalisation
  ['identical', PUDONG, PUDONG, 'exact'],
  [
    'carrier omits country, region, city',
    PUDONG,
    { postalCode: '200 120', addressLine: '88 century ave tower a' },
    'exact',
  ],
  [
    'house-number marker and full width',
    PUDONG,
    { ...PUDONG, addressLine: 'No.８８ Century Ave., Tower A' },
    'exact',
  ],
  ['city suffix in Latin', PUDONG, { ...PUDONG, city: 'Shanghai City', region: 'Shanghai Shi' }, 'exact'],
  ['district suffix', PUDONG, { ...PUDONG, district: 'Pudong New Area' }, 'exact'],
  [
    'Chinese district suffix',
    NANSHAN_SZ,
    { ...NANSHAN_SZ, district: 'Nanshan', addressLine: '科苑路 15 號' },
    'exact',
  ],
  // spellings of the alias table
  ['municipality in Chinese', PUDONG, { ...PUDONG, region: '上海', city: '上海市' }, 'alias'],
  [
    'municipality, city only',
    PUDONG,
    { country: 'CN', city: '上海市', addressLine: PUDONG.addressLine },
    'alias',
  ],
  [
    'district across scripts is not compared',
    PUDONG,
    { ...PUDONG, region: '上海市', city: '上海市', district: '浦东新区' },
    'alias',
  ],
  [
    'province and city in Chinese',
    NANSHAN_SZ,
    { ...NANSHAN_SZ, region: '广东省', city: '深圳市', district: '南山区' },
    'alias',
  ],
  ['province short form', NANSHAN_SZ, { region: '广东', city: '深圳', addressLine: '科苑路15号' }, 'alias'],
  ['city only, region taken from it', NANSHAN_SZ, { city: '深圳市', addressLine: '科苑路15' }, 'alias'],
  [
    'shared pinyin told apart by the region',
    GULOU_FZ,
    { region: '福建', city: '福州市', addressLine: '五四路100号' },
    'alias',
  ],
  [
    'shared pinyin, the directory in Chinese',
    SUZHOU_JS,
    { region: 'Jiangsu', city: 'Suzhou', addressLine: '干将路1号' },
    'alias',
  ],
  [
    'old postal spelling',
    GULOU_FZ,
    { region: 'Fukien', city: 'Foochow', addressLine: '五四路100号' },
    'alias',
  ],
  [
    'SAR',
    HK,
    { country: 'HK', region: '香港特别行政区', city: '香港', addressLine: '1 Queens Rd Central' },
    'alias',
  ],
  // near misses that must not match
  ['different house number', PUDONG, { ...PUDONG, addressLine: '89 Century Avenue, Tower A' }, null],
  ['different tower', PUDONG, { ...PUDONG, addressLine: '88 Century Avenue, Tower B' }, null],
  ['上海 vs 上饶', PUDONG, { ...PUDONG, region: '', city: '上饶市' }, null],
  ['上饶 with its province', PUDONG, { ...PUDONG, region: '江西省', city: '上饶' }, null],
  [
    'other region, city omitted',
    PUDONG,
    { region: '江苏', postalCode: '200120', addressLine: PUDONG.addressLine },
    null,
  ],
  [
    'region inferred from the city disagrees',
    { city: '上海', addressLine: '世纪大道88号' },
    { region: 'Jiangsu', postalCode: '215000', addressLine: '世纪大道88号' },
    null,
  ],
  ['Nanshan of another city', NANSHAN_SZ, { ...NANSHAN_SZ, region: '', city: 'Guangzhou' }, null],
  [
    'Nanshan of another province',
    NANSHAN_SZ,
    { region: '广西', city: '桂林市', district: '南山区', addressLine: '科苑路15号' },
    null,
  ],
  ['other district in the same script', NANSHAN_SZ, { ...NANSHAN_SZ, district: 'Futian District' }, null],
  [
    'other Chinese district',
    { ...NANSHAN_SZ, district: '南山区' },
    { ...NANSHAN_SZ, district: '福田区' },
    null,
  ],
  [
    'Fuzhou of Jiangxi (抚州) for Fuzhou of Fujian',
    GULOU_FZ,
    { city: '抚州市', addressLine: '五四路100号' },
    null,
  ],
  [
    'Fuzhou without a region on either side, other script',
    { city: 'Fuzhou', addressLine: '五四路100号' },
    { city: '福州', addressLine: '五四路100号' },
    null,
  ],
  [
    'Suzhou of Anhui (宿州) for Suzhou of Jiangsu',
    SUZHOU_JS,
    { city: '宿州', addressLine: '干将路1号' },
    null,
  ],
  [
    'pinyin Suzhou with region Anhui',
    SUZHOU_JS,
    { region: 'Anhui', city: 'Suzhou', addressLine: '干将路1号' },
    null,
  ],
  [
    'Shanxi is not Shaanxi',
    { region: '陕西省', city: '西安市', addressLine: '长安路1号' },
    { region: 'Shanxi', city: "Xi'an", addressLine: '长安路1号' },
    null,
  ],
  ['different country', PUDONG, { ...PUDONG, country: 'HK' }, null],
  ['different postal code', PUDONG, { ...PUDONG, postalCode: '200121' }, null],
  [
    'city unknown to the table in another script',
    { city: 'Kunshan', addressLine: '前进路1号' },
    { city: '昆山市', addressLine: '前进路1号' },
    null,
  ],
  [
    'outside China the table does not apply',
    { country: 'SG', city: 'Shanghai', addressLine: '1 Orchard Road' },
    { country: 'SG', city: '上海', addressLine: '1 Orchard Road' },
    null,
  ],
  [
    'a city spelled like a province',
    { region: 'Jilin', city: 'Changchun', addressLine: '人民大街1号' },
    { region: '吉林省', city: '吉林市', addressLine: '人民大街1号' },
    null,
  ],
];

describe('matchBuilding', () => {
  it.each(cases)('%s', (_case, directory, hint, rule) => {
    expect(matchBuilding(stored(directory), carrier(hint))).toBe(rule);
  });

  it('is symmetric in what it accepts', () => {
    for (const [name, directory, hint, rule] of cases) {
      expect([name, matchBuilding(stored(hint), carrier(directory))]).toEqual([name, rule]);
    }
  });
});
