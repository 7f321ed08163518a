import {
  buildWatermarkText,
  cleanCarrier,
  cleanWaybill,
  escapeMarkup,
  WatermarkTextError,
} from './watermark-text';

describe('watermark text', () => {
  it('builds the Chinese line and the English line', () => {
    expect(buildWatermarkText({ carrier: '顺丰速运', waybill: 'SF1234567890' })).toBe(
      '仅供 顺丰速运 包裹 SF1234567890 清关使用\nFor customs clearance of 顺丰速运 parcel SF1234567890 only',
    );
    expect(buildWatermarkText({ carrier: 'DHL Express', waybill: '1234567890', english: false })).toBe(
      '仅供 DHL Express 包裹 1234567890 清关使用',
    );
  });

  it('accepts real carrier names and waybill formats', () => {
    for (const carrier of [
      '顺丰速运',
      'DHL Express',
      'J&T Express',
      'S.F. Express',
      'Cainiao·菜鸟',
      'Royal Mail (UK)',
      "Parcel d'Or",
    ]) {
      expect(cleanCarrier(carrier)).toBe(carrier);
    }
    for (const waybill of [
      'SF1234567890',
      '1Z999AA10123456784',
      'JD0001-234',
      'EMS 1234 5678',
      'AB/123.45_6',
    ]) {
      expect(cleanWaybill(waybill)).toBe(waybill);
    }
  });

  it('folds full-width input from a Chinese IME and collapses whitespace', () => {
    expect(cleanCarrier('  ＤＨＬ\u3000 Express ')).toBe('DHL Express');
    expect(cleanWaybill('ＳＦ１２３４５６')).toBe('SF123456');
  });

  it.each([
    ['<span alpha="1">x</span>'],
    ['DHL" foreground="#fff'],
    ['DHL > UPS'],
    ['DHL\u202eSSERPXE'], // right-to-left override: would display the text reversed
    ['DHL\u0000'],
    ['📦 Express'],
    [''],
    ['A'.repeat(41)],
  ])('refuses the carrier name %j', (carrier) => {
    expect(() => cleanCarrier(carrier)).toThrow(WatermarkTextError);
  });

  it.each([
    ['SF<b>1</b>'],
    ['SF&amp;1'],
    ["SF'1234"],
    ['SF"1234'],
    ['12'],
    ['-SF1234'],
    ['SF1234+5678'],
    ['9'.repeat(41)],
  ])('refuses the waybill %j', (waybill) => {
    expect(() => cleanWaybill(waybill)).toThrow(WatermarkTextError);
  });

  it('cuts an over-long rejected value in the error message', () => {
    expect(() => cleanWaybill('X'.repeat(500))).toThrow(/"X{60}…"/);
  });

  it('escapes every character with a meaning in Pango markup and XML', () => {
    expect(escapeMarkup(`J&T <span foreground="red">'x'</span>`)).toBe(
      'J&amp;T &lt;span foreground=&quot;red&quot;&gt;&#39;x&#39;&lt;/span&gt;',
    );
    expect(escapeMarkup('仅供 顺丰速运 包裹 SF1 清关使用')).toBe('仅供 顺丰速运 包裹 SF1 清关使用');
  });
});
