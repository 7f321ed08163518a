/**
 * How the PDF prints the manifest's codes: Chinese and English side by side for the carrier desk
 * (most carriers on Portico's lanes file in Chinese), the code itself when no label is known —
 * never a blank. Pure.
 */
type Labels = Readonly<Record<string, string>>;

const LABELS: Readonly<Record<string, Labels>> = {
  reason: {
    no_scan: '长时间无物流更新 No scan',
    past_estimated_delivery: '超过预计送达 Past estimated delivery',
    not_received: '未收到 Not received',
    carrier_lost: '承运商报丢失 Carrier: lost',
    carrier_damaged: '承运商报破损 Carrier: damaged',
    carrier_returned: '退回寄件人 Returned to sender',
    damaged_on_arrival: '到货破损 Damaged on arrival',
  },
  status: {
    info_received: '已揽收信息 Info received',
    in_transit: '运输中 In transit',
    customs_hold: '海关扣留 Customs hold',
    customs_released: '海关放行 Customs released',
    out_for_delivery: '派送中 Out for delivery',
    available_for_pickup: '待取件 Awaiting pickup',
    delivered: '已签收 Delivered',
    delivery_failed: '派送失败 Delivery failed',
    exception: '异常 Exception',
    expired: '已过期 Expired',
    unknown: '未知 Unknown',
  },
  exception: {
    lost: '丢失 lost',
    damaged: '破损 damaged',
    returned_to_sender: '退回 returned',
    address_issue: '地址问题 address',
    other: '其他 other',
  },
  log: {
    verification: '核实 Verification',
    customer_explanation: '客户说明 Explanation',
    damage_assessment: '破损评估 Assessment',
    acknowledged: '已受理 Acknowledged',
    inquiry_sent: '已询问承运商 Inquiry sent',
    inquiry_answered: '承运商答复 Inquiry answered',
    decision: '客户决定 Decision',
    filing_sent: '已提交索赔 Filing sent',
    carrier_status: '承运商状态 Carrier status',
    service_level_breached: '超时 SLA breached',
  },
  subject: {
    damage: '破损 Damage',
    parcel: '包裹 Parcel',
    label: '面单 Label',
    invoice: '发票 Invoice',
    receipt: '收据 Receipt',
    other: '其他 Other',
  },
  kind: { photo: '照片 photo', value_proof: '价值证明 value proof' },
  insuranceSource: { carrier: '承运商 carrier', api: '平台登记 recorded via API' },
};

export function labelOf(kind: keyof typeof LABELS & string, code: string): string {
  return LABELS[kind]?.[code] ?? code;
}

/** ISO 4217 currencies without minor units among those the lanes use. */
const ZERO_DECIMALS = new Set(['JPY', 'KRW', 'VND']);

export function formatMoney(m: { readonly currencyCode: string; readonly amountMinor: string }): string {
  const minor = BigInt(m.amountMinor);
  if (ZERO_DECIMALS.has(m.currencyCode)) return `${m.currencyCode} ${minor.toString()}`;
  const sign = minor < 0n ? '-' : '';
  const abs = minor < 0n ? -minor : minor;
  return `${m.currencyCode} ${sign}${(abs / 100n).toString()}.${(abs % 100n).toString().padStart(2, '0')}`;
}

/** `2026-12-02 18:25:01 UTC`: one unambiguous zone for every reader of the bundle. */
export function formatTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}
