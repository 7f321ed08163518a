import { carrierName, formatDeadline, type ScriptTemplate } from './template';

export interface UnmatchedParcelVars {
  readonly propertyName: string;
  readonly carrierCode: string;
  readonly trackingNumber: string;
  /** The unit as the carrier wrote it, empty when it gave none. */
  readonly unit: string;
  readonly deadline: Date | null;
  readonly timeZone: string;
}

/** For the steward (in the steward's language): a held parcel for the property that matched no resident. */
export const UNMATCHED_PARCEL_TEMPLATE: ScriptTemplate<UnmatchedParcelVars> = {
  id: 'unmatched-parcel',
  version: 1,
  render: {
    zh: (v) => {
      const unit = v.unit ? `（单元 ${v.unit}）` : '';
      const when = v.deadline ? `，截止时间为${formatDeadline(v.deadline, 'zh', v.timeZone)}` : '';
      return [
        `【待认领包裹】一件寄往${v.propertyName}${unit}的${carrierName(v.carrierCode, 'zh')}包裹（运单号 ${v.trackingNumber}）无法自动匹配到住户。`,
        `海关要求收件人提供清关证件${when}。`,
        '请在前台待认领队列中核对收件人并关联住户；关联后系统会自动联系住户。',
      ].join('\n');
    },
    en: (v) => {
      const unit = v.unit ? ` (unit ${v.unit})` : '';
      const when = v.deadline ? ` before ${formatDeadline(v.deadline, 'en', v.timeZone)}` : '';
      return [
        `[Unmatched parcel] A ${carrierName(v.carrierCode, 'en')} parcel (waybill ${v.trackingNumber}) addressed to ${v.propertyName}${unit} could not be matched to a resident.`,
        `Customs needs the recipient's clearance documents${when}.`,
        'Please check the recipient in the front-desk queue and link the resident; Portico contacts them once linked.',
      ].join('\n');
    },
  },
};
