import type { Parcel, TrackingStatusName } from '../parcels/parcel';

/**
 * What the self-service intents say, in zh and en, from the parcel projection alone. Pure: the
 * console and chat channels show `answer` and `nextSteps` as they are. Times are shown in China
 * time (the platform's tenants); no personal data is ever part of an answer.
 */
export const INTENTS = ['package_not_received', 'tracking_not_updating', 'damaged_on_arrival'] as const;
export type Intent = (typeof INTENTS)[number];

export interface Localized {
  readonly en: string;
  readonly zh: string;
}

const STATUS_TEXT: Readonly<Record<TrackingStatusName, Localized>> = {
  info_received: {
    en: 'shipment data received, not yet handed to the carrier',
    zh: '已收到运单信息，尚未交给承运商',
  },
  in_transit: { en: 'in transit', zh: '运输中' },
  customs_hold: { en: 'held by customs', zh: '海关扣留中' },
  customs_released: { en: 'released by customs', zh: '已清关放行' },
  out_for_delivery: { en: 'out for delivery', zh: '派送中' },
  available_for_pickup: { en: 'waiting for pickup', zh: '待取件' },
  delivered: { en: 'delivered', zh: '已签收' },
  delivery_failed: { en: 'delivery attempt failed', zh: '派送未成功' },
  exception: { en: 'reported a problem by the carrier', zh: '承运商报告异常' },
  expired: { en: 'no longer tracked by the carrier', zh: '承运商已停止跟踪' },
  unknown: { en: 'in an unrecognised status', zh: '状态未知' },
};

export function chinaTime(d: Date): string {
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).format(d);
}

export interface IntentFacts {
  readonly parcel: Parcel;
  /** When "no scan for N days" fires for this parcel, null when it does not count. */
  readonly noScanFiresAt: Date | null;
  readonly noScanDays: number;
  /** The claim the parcel has (open, or just opened by this request). */
  readonly claim: { readonly id: string; readonly state: string; readonly created: boolean } | null;
  readonly now: Date;
}

export interface IntentAnswer {
  readonly answer: Localized;
  readonly nextSteps: Localized;
}

export function answerIntent(intent: Intent, f: IntentFacts): IntentAnswer {
  const p = f.parcel;
  const carrier = p.parcel.carrierCode;
  const status = STATUS_TEXT[p.status];
  const claimLine = f.claim
    ? {
        en: f.claim.created
          ? ` A claim (${f.claim.id}) is now open; we check with the desk, locker and neighbours and, if needed, the carrier.`
          : ` A claim (${f.claim.id}) is already being worked on.`,
        zh: f.claim.created
          ? ` 已为您创建理赔案件（${f.claim.id}），我们将向前台、快递柜和邻居核实，必要时联系承运商。`
          : ` 该包裹的理赔案件（${f.claim.id}）正在处理中。`,
      }
    : { en: '', zh: '' };
  switch (intent) {
    case 'package_not_received': {
      if (p.status !== 'delivered' || !p.deliveredAt) {
        return {
          answer: {
            en: `${carrier} has not reported this parcel delivered yet: it is ${status.en} (last update ${chinaTime(p.lastScanAt)}).`,
            zh: `${carrier} 尚未显示该包裹已签收：当前${status.zh}（最近更新 ${chinaTime(p.lastScanAt)}）。`,
          },
          nextSteps: {
            en: 'Nothing is lost yet. If tracking stops moving, we open a case automatically; you can also ask "tracking not updating".',
            zh: '包裹尚未丢失。如物流长时间不更新，系统会自动立案；您也可以查询"物流未更新"。',
          },
        };
      }
      return {
        answer: {
          en: `${carrier} reported this parcel delivered at ${chinaTime(p.deliveredAt)}.${claimLine.en}`,
          zh: `${carrier} 显示该包裹已于 ${chinaTime(p.deliveredAt)} 签收。${claimLine.zh}`,
        },
        nextSteps: f.claim
          ? {
              en: 'We will tell you what the desk, locker and neighbours say within 2 hours; if it is not found, the carrier is asked and you choose reship, refund or a coupon.',
              zh: '我们将在 2 小时内告知前台、快递柜和邻居的核实结果；如仍未找到，将联系承运商，并由您选择重发、退款或优惠券。',
            }
          : {
              en: 'Please check the front desk, parcel lockers and with neighbours first. If it is not there, ask us to open a claim.',
              zh: '请先到前台、快递柜查看或询问邻居。如仍未找到，可申请理赔。',
            },
      };
    }
    case 'tracking_not_updating': {
      const days = Math.floor((f.now.getTime() - p.lastScanAt.getTime()) / 86_400_000);
      const rule = f.claim
        ? { en: claimLine.en.trim(), zh: claimLine.zh.trim() }
        : f.noScanFiresAt
          ? {
              en: `If there is still no scan by ${chinaTime(f.noScanFiresAt)} (${f.noScanDays} days without one), a lost-parcel case opens automatically.`,
              zh: `如到 ${chinaTime(f.noScanFiresAt)} 仍无扫描（连续 ${f.noScanDays} 天无更新），系统将自动按疑似丢件立案。`,
            }
          : {
              en: 'This parcel is not expected to move (it is delivered, waiting for pickup or already reported by the carrier).',
              zh: '该包裹目前无需继续移动（已签收、待取件或承运商已报告异常）。',
            };
      return {
        answer: {
          en: `Last scan by ${carrier}: ${chinaTime(p.lastScanAt)} (${days} day(s) ago), ${status.en}.`,
          zh: `${carrier} 最近一次扫描：${chinaTime(p.lastScanAt)}（${days} 天前），${status.zh}。`,
        },
        nextSteps: rule,
      };
    }
    case 'damaged_on_arrival':
      return {
        answer: {
          en: `Sorry the parcel arrived damaged.${claimLine.en}`,
          zh: `很抱歉包裹到达时已损坏。${claimLine.zh}`,
        },
        nextSteps: {
          en: 'Keep the packaging. Upload photos of the parcel and the damage and the proof of value; the damage is assessed within 24 hours.',
          zh: '请保留外包装，并上传包裹及损坏处照片和价值证明；我们将在 24 小时内完成损坏评估。',
        },
      };
  }
}
