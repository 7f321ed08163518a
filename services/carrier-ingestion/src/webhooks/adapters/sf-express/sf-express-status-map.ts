import type { CustomsHoldReason, ExceptionReason, TrackingStatus } from '../../tracking-update';

/** What one SF route operation code (`opCode`) means in Portico's taxonomy. */
export interface SfOpCodeMapping {
  readonly status: TrackingStatus;
  /** Set for `exception`: the canonical reason. */
  readonly exceptionReason?: ExceptionReason;
  /** What SF writes in `remark` for this code, for readers of this table. */
  readonly meaning: string;
  /**
   * `observed`: seen with this meaning in published SF route data (route query answers and pushes
   * quoted by public integrations). `reported`: listed with this meaning by integrators, not seen in
   * data we could check. SF publishes no complete opCode table on its open platform.
   */
  readonly evidence: 'observed' | 'reported';
}

/**
 * SF Express route operation codes. SF's open platform (丰桥) documents the route fields but not a
 * full list of opCode values, so only codes whose meaning we could establish are listed; any other
 * code maps to `unknown` (raw code and remark kept, never dropped) unless its remark is a customs
 * event (see mapSfRoute). Choices:
 *   - 50/54 (picked up) are `in_transit`: the parcel is in SF's hands, more than label data.
 *   - 44 (courier being assigned / 正在派件) is already the delivery run: `out_for_delivery`.
 *   - 8000 follows a delivery (80) *or* a return (99) as "order closed": on its own it says neither,
 *     so it is `unknown` on purpose (mapping it to delivered would mark returns delivered).
 *   - 33 (滞留, held) is listed by integrators only; mapped to a generic exception.
 *   - Customs opCodes of international waybills (integrators cite 604-607 and 611) are unconfirmed:
 *     not listed; their remarks are classified by the customs rule instead.
 */
export const SF_EXPRESS_OP_CODES: Readonly<Record<string, SfOpCodeMapping>> = {
  '50': { status: 'in_transit', meaning: '已收件 / 顺丰速运 已收取快件 (picked up)', evidence: 'observed' },
  '54': { status: 'in_transit', meaning: '顺丰速运 已收取快件 (picked up)', evidence: 'observed' },
  '501': { status: 'in_transit', meaning: '快件运输中 (in transit)', evidence: 'observed' },
  '407': { status: 'in_transit', meaning: '快件已发往【网点】(sent to a station)', evidence: 'observed' },
  '30': {
    status: 'in_transit',
    meaning: '快件在【中转场】完成分拣，准备发往 (sorted, to be sent on)',
    evidence: 'observed',
  },
  '36': {
    status: 'in_transit',
    meaning: '快件离开【中转场】，已在发往…的路上 (departed)',
    evidence: 'observed',
  },
  '31': { status: 'in_transit', meaning: '快件到达【中转场】(arrived)', evidence: 'observed' },
  '3036': {
    status: 'in_transit',
    meaning: '快件在【集散中心】，准备送往下一站 (older code)',
    evidence: 'observed',
  },
  '3137': { status: 'in_transit', meaning: '快件到达【集散中心】(older code)', evidence: 'observed' },
  '130': {
    status: 'in_transit',
    meaning: '已到达目的地网点，即将派件 (at the delivering station)',
    evidence: 'reported',
  },
  '44': {
    status: 'out_for_delivery',
    meaning: '正在派件 / 正在为您的快件分配快递员 (delivery run)',
    evidence: 'observed',
  },
  '204': {
    status: 'out_for_delivery',
    meaning: '快件交给…，正在派送途中 (out for delivery)',
    evidence: 'observed',
  },
  '70': {
    status: 'delivery_failed',
    meaning: '派送不成功 / 与客户约定更改派送时间 (not delivered)',
    evidence: 'observed',
  },
  '80': { status: 'delivered', meaning: '已签收 (delivered, signed for)', evidence: 'observed' },
  '8000': { status: 'unknown', meaning: '订单结束 (order closed, after 80 or 99)', evidence: 'reported' },
  '33': { status: 'exception', exceptionReason: 'other', meaning: '快件滞留 (held)', evidence: 'reported' },
  '99': {
    status: 'exception',
    exceptionReason: 'returned_to_sender',
    meaning: '快件退回 (returned)',
    evidence: 'reported',
  },
  '631': {
    status: 'exception',
    exceptionReason: 'returned_to_sender',
    meaning: '快件已退回 (returned)',
    evidence: 'reported',
  },
  '648': {
    status: 'exception',
    exceptionReason: 'returned_to_sender',
    meaning: '快件退回 / 转寄 (returned)',
    evidence: 'reported',
  },
};

/**
 * The customs rule. SF reports clearance events (international and cross-border waybills) in
 * `remark`, under codes SF does not document. A route whose code maps to `in_transit` or `unknown`
 * and whose remark (or reasonName) speaks of customs is classified by its words: released, held for
 * a known reason, held otherwise; a customs remark matching none ("清关中", clearance under way)
 * keeps the code's status. Codes with a stronger meaning (out for delivery, delivered, returned…)
 * are never overridden. Released is tested first, so "查验完成，海关已放行" is a release.
 */
export const SF_CUSTOMS_CONTEXT = /清关|海关|报关|关务|customs/i;
export const SF_CUSTOMS_RELEASED = /放行|清关完成|完成清关|已清关|清关成功|\breleased\b|\bcleared\b/i;
export const SF_CUSTOMS_HOLD_REASONS: readonly (readonly [RegExp, CustomsHoldReason])[] = [
  [/身份证|实名|证件|\bID\b|identity|identification/i, 'id_documents_required'],
  [/税|\bdut(?:y|ies)\b|\btax(?:es)?\b/i, 'duties_unpaid'],
  [/查验|inspect/i, 'inspection'],
];
export const SF_CUSTOMS_HELD =
  /扣留|暂扣|扣关|异常|补充资料|资料不全|待补|滞留|问题件|\bheld\b|\bhold\b|detain/i;

export interface SfCanonical {
  status: TrackingStatus;
  customsHoldReason?: CustomsHoldReason;
  exceptionReason?: ExceptionReason;
}

/** One route as Portico's status (never throws): the opCode table, then the customs rule. */
export function mapSfRoute(opCode: string, text: string): SfCanonical {
  const mapping = Object.hasOwn(SF_EXPRESS_OP_CODES, opCode) ? SF_EXPRESS_OP_CODES[opCode] : undefined;
  const status = mapping?.status ?? 'unknown';
  if ((status === 'in_transit' || status === 'unknown') && SF_CUSTOMS_CONTEXT.test(text)) {
    if (SF_CUSTOMS_RELEASED.test(text)) return { status: 'customs_released' };
    const reason = SF_CUSTOMS_HOLD_REASONS.find(([pattern]) => pattern.test(text))?.[1];
    if (reason) return { status: 'customs_hold', customsHoldReason: reason };
    if (SF_CUSTOMS_HELD.test(text)) return { status: 'customs_hold', customsHoldReason: 'other' };
  }
  return mapping?.exceptionReason ? { status, exceptionReason: mapping.exceptionReason } : { status };
}
