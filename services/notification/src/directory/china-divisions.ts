/**
 * China's province-level divisions and its largest prefecture-level cities, with the spellings
 * carriers and property systems use for them: the Chinese name, its short forms, and pinyin /
 * customary English (postal) spellings. Written for Portico from general knowledge, not copied
 * from a dataset. address-places.ts normalises every name with `placeKey` (width, case,
 * punctuation, administrative suffixes such as 省 / 市 / 自治区 / City / Shi), so a regular short
 * form (深圳 for 深圳市, Shanghai Shi for Shanghai) needs no entry of its own; irregular ones
 * (广西 for 广西壮族自治区, Tibet for Xizang) are listed.
 *
 * Bump CHINA_DIVISIONS_VERSION with every change of the data (the README names it, and a property
 * matched by alias is matched by this version of the table). Removing or changing a spelling can
 * only make fewer parcels match; adding one that collides with another place's spelling is caught
 * by china-divisions.spec.ts unless it is declared in SHARED_CITY_SPELLINGS.
 */
export const CHINA_DIVISIONS_VERSION = '2026.12.1';

export type ProvinceCode =
  | 'BJ'
  | 'TJ'
  | 'SH'
  | 'CQ'
  | 'HE'
  | 'SX'
  | 'LN'
  | 'JL'
  | 'HL'
  | 'JS'
  | 'ZJ'
  | 'AH'
  | 'FJ'
  | 'JX'
  | 'SD'
  | 'HA'
  | 'HB'
  | 'HN'
  | 'GD'
  | 'HI'
  | 'SC'
  | 'GZ'
  | 'YN'
  | 'SN'
  | 'GS'
  | 'QH'
  | 'TW'
  | 'NM'
  | 'GX'
  | 'XZ'
  | 'NX'
  | 'XJ'
  | 'HK'
  | 'MO';

export type ProvinceKind = 'municipality' | 'province' | 'autonomous_region' | 'sar';

export interface ProvinceEntry {
  /** The ISO 3166-2:CN subdivision code without `CN-`. */
  readonly code: ProvinceCode;
  readonly kind: ProvinceKind;
  /** Official Chinese name first, then short or irregular forms, then Latin spellings. */
  readonly names: readonly string[];
}

export interface CityEntry {
  readonly province: ProvinceCode;
  readonly names: readonly string[];
}

const p = (code: ProvinceCode, kind: ProvinceKind, ...names: string[]): ProvinceEntry => ({
  code,
  kind,
  names,
});

export const PROVINCES: readonly ProvinceEntry[] = [
  p('BJ', 'municipality', '北京市', 'Beijing', 'Peking'),
  p('TJ', 'municipality', '天津市', 'Tianjin', 'Tientsin'),
  p('SH', 'municipality', '上海市', 'Shanghai'),
  p('CQ', 'municipality', '重庆市', '重慶', 'Chongqing', 'Chungking'),
  p('HE', 'province', '河北省', 'Hebei'),
  p('SX', 'province', '山西省', 'Shanxi'),
  p('LN', 'province', '辽宁省', '遼寧', 'Liaoning'),
  p('JL', 'province', '吉林省', 'Jilin', 'Kirin'),
  p('HL', 'province', '黑龙江省', '黑龍江', 'Heilongjiang'),
  p('JS', 'province', '江苏省', '江蘇', 'Jiangsu', 'Kiangsu'),
  p('ZJ', 'province', '浙江省', 'Zhejiang', 'Chekiang'),
  p('AH', 'province', '安徽省', 'Anhui', 'Anhwei'),
  p('FJ', 'province', '福建省', 'Fujian', 'Fukien'),
  p('JX', 'province', '江西省', 'Jiangxi', 'Kiangsi'),
  p('SD', 'province', '山东省', '山東', 'Shandong', 'Shantung'),
  p('HA', 'province', '河南省', 'Henan', 'Honan'),
  p('HB', 'province', '湖北省', 'Hubei', 'Hupeh'),
  p('HN', 'province', '湖南省', 'Hunan'),
  p('GD', 'province', '广东省', '廣東', 'Guangdong', 'Kwangtung', 'Canton Province'),
  p('HI', 'province', '海南省', 'Hainan'),
  p('SC', 'province', '四川省', 'Sichuan', 'Szechwan', 'Szechuan'),
  p('GZ', 'province', '贵州省', '貴州', 'Guizhou', 'Kweichow'),
  p('YN', 'province', '云南省', '雲南', 'Yunnan'),
  // Shaanxi's double a is the official spelling that keeps it apart from Shanxi: never alias the two.
  p('SN', 'province', '陕西省', '陝西', 'Shaanxi', 'Shensi'),
  p('GS', 'province', '甘肃省', '甘肅', 'Gansu', 'Kansu'),
  p('QH', 'province', '青海省', 'Qinghai', 'Tsinghai'),
  p('TW', 'province', '台湾省', '台湾', '臺灣', '台灣', 'Taiwan'),
  p(
    'NM',
    'autonomous_region',
    '内蒙古自治区',
    '内蒙古',
    '內蒙古',
    'Inner Mongolia',
    'Nei Mongol',
    'Neimenggu',
  ),
  p('GX', 'autonomous_region', '广西壮族自治区', '广西', '廣西', 'Guangxi', 'Guangxi Zhuang', 'Kwangsi'),
  p('XZ', 'autonomous_region', '西藏自治区', '西藏', 'Xizang', 'Tibet'),
  p('NX', 'autonomous_region', '宁夏回族自治区', '宁夏', '寧夏', 'Ningxia', 'Ningxia Hui'),
  p(
    'XJ',
    'autonomous_region',
    '新疆维吾尔自治区',
    '新疆',
    'Xinjiang',
    'Xinjiang Uygur',
    'Xinjiang Uyghur',
    'Sinkiang',
  ),
  p('HK', 'sar', '香港特别行政区', '香港', 'Hong Kong', 'HKSAR', 'Hongkong'),
  p('MO', 'sar', '澳门特别行政区', '澳门', '澳門', 'Macao', 'Macau'),
];

const c = (province: ProvinceCode, ...names: string[]): CityEntry => ({ province, names });

/**
 * The municipalities and SARs are their own city; then the prefecture-level cities by province
 * (roughly the hundred largest by population and the provincial capitals).
 */
export const CITIES: readonly CityEntry[] = [
  c('BJ', '北京市', 'Beijing', 'Peking'),
  c('TJ', '天津市', 'Tianjin', 'Tientsin'),
  c('SH', '上海市', 'Shanghai'),
  c('CQ', '重庆市', '重慶', 'Chongqing', 'Chungking'),
  c('HK', '香港', 'Hong Kong', 'Hongkong'),
  c('MO', '澳门', '澳門', 'Macao', 'Macau'),

  c('HE', '石家庄市', 'Shijiazhuang'),
  c('HE', '唐山市', 'Tangshan'),
  c('HE', '保定市', 'Baoding'),
  c('HE', '邯郸市', 'Handan'),
  c('HE', '沧州市', 'Cangzhou'),
  c('HE', '廊坊市', 'Langfang'),
  c('HE', '邢台市', 'Xingtai'),
  c('SX', '太原市', 'Taiyuan'),
  c('SX', '大同市', 'Datong'),
  c('NM', '呼和浩特市', 'Hohhot', 'Huhehaote'),
  c('NM', '包头市', 'Baotou'),
  c('NM', '鄂尔多斯市', 'Ordos', 'Eerduosi'),
  c('LN', '沈阳市', '瀋陽', 'Shenyang', 'Mukden'),
  c('LN', '大连市', '大連', 'Dalian'),
  c('LN', '鞍山市', 'Anshan'),
  c('JL', '长春市', '長春', 'Changchun'),
  // Jilin the city and Jilin the province share their names; levels keep them apart.
  c('JL', '吉林市', 'Jilin', 'Kirin'),
  c('HL', '哈尔滨市', '哈爾濱', 'Harbin', 'Haerbin'),
  c('HL', '大庆市', 'Daqing'),
  c('HL', '齐齐哈尔市', 'Qiqihar', 'Qiqihaer'),
  c('JS', '南京市', 'Nanjing', 'Nanking'),
  c('JS', '苏州市', '蘇州', 'Suzhou'),
  c('JS', '无锡市', '無錫', 'Wuxi'),
  c('JS', '常州市', 'Changzhou'),
  c('JS', '南通市', 'Nantong'),
  c('JS', '徐州市', 'Xuzhou'),
  c('JS', '扬州市', 'Yangzhou'),
  c('JS', '盐城市', 'Yancheng'),
  c('JS', '泰州市', 'Taizhou'),
  c('JS', '镇江市', 'Zhenjiang'),
  c('JS', '淮安市', "Huai'an", 'Huaian'),
  c('JS', '连云港市', 'Lianyungang'),
  c('ZJ', '杭州市', 'Hangzhou'),
  c('ZJ', '宁波市', '寧波', 'Ningbo'),
  c('ZJ', '温州市', 'Wenzhou'),
  c('ZJ', '绍兴市', 'Shaoxing'),
  c('ZJ', '嘉兴市', 'Jiaxing'),
  c('ZJ', '金华市', 'Jinhua'),
  c('ZJ', '台州市', 'Taizhou'),
  c('ZJ', '湖州市', 'Huzhou'),
  c('AH', '合肥市', 'Hefei'),
  c('AH', '芜湖市', 'Wuhu'),
  c('AH', '阜阳市', 'Fuyang'),
  c('AH', '宿州市', 'Suzhou'),
  c('AH', '蚌埠市', 'Bengbu'),
  c('FJ', '福州市', 'Fuzhou', 'Foochow'),
  c('FJ', '厦门市', '廈門', 'Xiamen', 'Amoy'),
  c('FJ', '泉州市', 'Quanzhou'),
  c('FJ', '漳州市', 'Zhangzhou'),
  c('FJ', '莆田市', 'Putian'),
  c('JX', '南昌市', 'Nanchang'),
  c('JX', '赣州市', 'Ganzhou'),
  c('JX', '上饶市', 'Shangrao'),
  c('JX', '九江市', 'Jiujiang'),
  c('JX', '抚州市', 'Fuzhou'),
  c('SD', '济南市', '濟南', 'Jinan'),
  c('SD', '青岛市', '青島', 'Qingdao', 'Tsingtao'),
  c('SD', '烟台市', 'Yantai'),
  c('SD', '潍坊市', 'Weifang'),
  c('SD', '临沂市', 'Linyi'),
  c('SD', '淄博市', 'Zibo'),
  c('SD', '济宁市', 'Jining'),
  c('SD', '菏泽市', 'Heze'),
  c('SD', '威海市', 'Weihai'),
  c('HA', '郑州市', '鄭州', 'Zhengzhou'),
  c('HA', '洛阳市', 'Luoyang'),
  c('HA', '南阳市', 'Nanyang'),
  c('HA', '新乡市', 'Xinxiang'),
  c('HA', '商丘市', 'Shangqiu'),
  c('HA', '周口市', 'Zhoukou'),
  c('HA', '信阳市', 'Xinyang'),
  c('HB', '武汉市', '武漢', 'Wuhan'),
  c('HB', '宜昌市', 'Yichang'),
  c('HB', '襄阳市', 'Xiangyang'),
  c('HB', '荆州市', 'Jingzhou'),
  c('HN', '长沙市', '長沙', 'Changsha'),
  c('HN', '株洲市', 'Zhuzhou'),
  c('HN', '衡阳市', 'Hengyang'),
  c('HN', '岳阳市', 'Yueyang'),
  c('HN', '常德市', 'Changde'),
  c('GD', '广州市', '廣州', 'Guangzhou', 'Canton'),
  c('GD', '深圳市', 'Shenzhen'),
  c('GD', '东莞市', '東莞', 'Dongguan'),
  c('GD', '佛山市', 'Foshan'),
  c('GD', '惠州市', 'Huizhou'),
  c('GD', '珠海市', 'Zhuhai'),
  c('GD', '中山市', 'Zhongshan'),
  c('GD', '汕头市', '汕頭', 'Shantou', 'Swatow'),
  c('GD', '江门市', 'Jiangmen'),
  c('GD', '湛江市', 'Zhanjiang'),
  c('GD', '茂名市', 'Maoming'),
  c('GD', '揭阳市', 'Jieyang'),
  c('GX', '南宁市', 'Nanning'),
  c('GX', '柳州市', 'Liuzhou'),
  c('GX', '桂林市', 'Guilin', 'Kweilin'),
  c('HI', '海口市', 'Haikou'),
  c('HI', '三亚市', 'Sanya'),
  c('SC', '成都市', 'Chengdu'),
  c('SC', '绵阳市', 'Mianyang'),
  c('SC', '南充市', 'Nanchong'),
  c('SC', '宜宾市', 'Yibin'),
  c('GZ', '贵阳市', 'Guiyang'),
  c('GZ', '遵义市', 'Zunyi'),
  c('YN', '昆明市', 'Kunming'),
  c('YN', '曲靖市', 'Qujing'),
  c('XZ', '拉萨市', 'Lhasa', 'Lasa'),
  c('SN', '西安市', "Xi'an", 'Sian'),
  c('SN', '宝鸡市', 'Baoji'),
  c('SN', '咸阳市', 'Xianyang'),
  c('GS', '兰州市', 'Lanzhou'),
  c('QH', '西宁市', 'Xining'),
  c('NX', '银川市', 'Yinchuan'),
  c('XJ', '乌鲁木齐市', 'Urumqi', 'Wulumuqi'),
  c('TW', '台北市', '臺北', 'Taipei'),
  c('TW', '台中市', '臺中', 'Taichung'),
  c('TW', '高雄市', 'Kaohsiung'),
];

/**
 * Latin spellings that several cities really share (different characters, one pinyin). They stay
 * in the table, but a spelling that names more than one city of the table never matches by alias
 * on its own: the region has to say which one it is (see address-places.ts).
 */
export const SHARED_CITY_SPELLINGS: readonly string[] = ['Suzhou', 'Taizhou', 'Fuzhou'];
