/**
 * Carriers' names as people read them, in both product languages, keyed by the carrier code every
 * topic uses. One table for the platform: the steward's script (notification), the resident's
 * upload page and the relay watermark (id-vault) all name a carrier the same way.
 */
const CARRIERS: Readonly<Record<string, { readonly zh: string; readonly en: string }>> = {
  'sf-express': { zh: '顺丰速运', en: 'SF Express' },
  ems: { zh: 'EMS', en: 'EMS' },
  'china-post': { zh: '中国邮政', en: 'China Post' },
  dhl: { zh: 'DHL', en: 'DHL' },
  ups: { zh: 'UPS', en: 'UPS' },
  fedex: { zh: 'FedEx', en: 'FedEx' },
  cainiao: { zh: '菜鸟', en: 'Cainiao' },
};

/** The carrier's display name; an unknown code is shown upper-cased rather than dropped. */
export function carrierDisplayName(code: string, language: 'zh' | 'en'): string {
  return CARRIERS[code]?.[language] ?? code.toUpperCase();
}
