import { REJECTION_REASONS } from '@portico/contracts';
import {
  contentFor,
  MESSAGE_TEMPLATES,
  REJECTION_ADVICE,
  RESIDENT_CASE_CLEARED,
  RESIDENT_CASE_CANCELLED,
  RESIDENT_CASE_EXPIRED,
  RESIDENT_DEADLINE_REMINDER,
  RESIDENT_DOCUMENTS_REQUESTED,
  RESIDENT_HOLD_PREDICTED,
  RESIDENT_REUPLOAD_REQUESTED,
  RESIDENT_RETURNED_TO_SENDER,
  STAFF_TASK_ESCALATED,
  STEWARD_CONSENT_WITHDRAWN,
  STEWARD_NEW_TASK,
  STEWARD_REUPLOAD_REQUEST,
  type SendTimeFacts,
} from '.';

const LINK = 'https://vault.test/u/one-time-secret-abc';
const facts: SendTimeFacts = {
  recipientName: '李伟',
  propertyName: 'Harbour Tower A',
  timeZone: 'Asia/Shanghai',
  upload: { url: LINK, expiresAt: new Date('2026-11-30T06:00:00Z') },
};
const vars = {
  carrierCode: 'sf-express',
  trackingNumber: 'SF1234567890',
  documents: ['resident_id_card'],
  deadline: '2026-11-28T06:00:00.000Z',
  rejectionReasons: [],
};

describe('message templates', () => {
  it('are all registered by id@version', () => {
    expect([...MESSAGE_TEMPLATES.keys()].sort()).toEqual([
      'resident-case-cancelled@1',
      'resident-case-cleared@1',
      'resident-case-expired@1',
      'resident-deadline-reminder@1',
      'resident-documents-requested@1',
      'resident-hold-predicted@1',
      'resident-returned-to-sender@1',
      'resident-reupload-requested@1',
      'staff-task-escalated@1',
      'steward-consent-withdrawn@1',
      'steward-new-task@1',
      'steward-reupload-request@1',
    ]);
  });

  it('give the resident the upload link, the waybill and the local deadline, in Chinese', () => {
    const r = RESIDENT_DOCUMENTS_REQUESTED.render.zh(vars, facts);
    expect(r.email.subject).toBe('【清关证件】包裹 SF1234567890 需要您上传证件');
    expect(r.email.text.startsWith('李伟您好！这里是Harbour Tower A物业服务中心。')).toBe(true);
    expect(r.email.text).toContain('顺丰速运包裹（运单号 SF1234567890）');
    expect(r.email.text).toContain('居民身份证正反面照片');
    expect(r.email.text).toContain('2026年11月28日 14:00（GMT+8）');
    expect(r.email.text).toContain(LINK);
    expect(r.email.html).toContain(`<a href="${LINK}">`);
    expect(r.sms.params).toEqual({
      waybill: 'SF1234567890',
      deadline: '2026年11月28日 14:00（GMT+8）',
      link: LINK,
    });
    expect(r.sms.preview).not.toContain('李伟'); // no name on a lock screen
  });

  it('say the same in English', () => {
    const r = RESIDENT_DOCUMENTS_REQUESTED.render.en(vars, { ...facts, recipientName: 'Li Wei' });
    expect(r.email.subject).toBe('Customs documents needed for parcel SF1234567890');
    expect(r.email.text.startsWith('Hello Li Wei, this is the Harbour Tower A management office.')).toBe(
      true,
    );
    expect(r.email.text).toContain('28 Nov 2026, 14:00 (GMT+8)');
    expect(r.email.text).toContain(`valid until 30 Nov 2026, 14:00 (GMT+8)): ${LINK}`);
  });

  it('say precisely why the previous upload was rejected and what to do', () => {
    const zh = RESIDENT_REUPLOAD_REQUESTED.render.zh(
      { ...vars, rejectionReasons: ['unreadable', 'side_missing'] },
      facts,
    );
    expect(zh.email.subject).toBe('【请重新上传】包裹 SF1234567890 清关证件');
    expect(zh.email.text).toContain('照片模糊或反光');
    expect(zh.email.text).toContain('缺少证件的正面或反面');
    expect(zh.sms.params['reason']).toContain('不开闪光灯');
    const en = RESIDENT_REUPLOAD_REQUESTED.render.en({ ...vars, rejectionReasons: ['name_mismatch'] }, facts);
    expect(en.email.text).toContain('the name on the document does not match the recipient on the waybill');
    // an unknown or missing reason still gives a useful sentence
    expect(
      RESIDENT_REUPLOAD_REQUESTED.render.en({ ...vars, rejectionReasons: [] }, facts).email.text,
    ).toContain('could not be accepted');
  });

  it('have advice in both languages for every rejection reason of the contract', () => {
    for (const reason of REJECTION_REASONS) {
      expect(REJECTION_ADVICE[reason].zh.length).toBeGreaterThan(5);
      expect(REJECTION_ADVICE[reason].en.length).toBeGreaterThan(5);
    }
  });

  it('refuse to render a resident message without a link', () => {
    expect(() => RESIDENT_DOCUMENTS_REQUESTED.render.zh(vars, { ...facts, upload: null })).toThrow(
      /upload link/,
    );
  });

  it('tell the steward about the task without the resident’s name or link', () => {
    const stewardVars = {
      taskId: 'ot_1',
      taskKind: 'documents_requested',
      carrierCode: 'sf-express',
      trackingNumber: 'SF1234567890',
      deadline: null,
      expedited: true,
    };
    const r = STEWARD_NEW_TASK.render.zh(stewardVars, { ...facts, upload: null });
    expect(r.markdown.title).toBe('【加急】新任务：顺丰速运包裹 SF1234567890');
    expect(r.markdown.markdown).toContain('需要住户提供清关证件');
    expect(r.push.path).toBe('/tasks/ot_1');
    const all = JSON.stringify(r);
    expect(all).not.toContain('李伟');
    expect(all).not.toContain('https://');
    expect(STEWARD_NEW_TASK.render.en(stewardVars, facts).email.subject).toBe(
      '[Urgent] New task: SF Express parcel SF1234567890',
    );
  });

  it('pick the shape each channel takes', () => {
    const r = RESIDENT_DOCUMENTS_REQUESTED.render.zh(vars, facts);
    expect(contentFor('sms', RESIDENT_DOCUMENTS_REQUESTED, 'zh', r)).toEqual({
      channel: 'sms',
      content: { ...r.sms, templateRef: 'resident-documents-requested@1', language: 'zh' },
    });
    expect(contentFor('email', RESIDENT_DOCUMENTS_REQUESTED, 'zh', r).content).toBe(r.email);
    expect(contentFor('dingtalk', RESIDENT_DOCUMENTS_REQUESTED, 'zh', r).content).toBe(r.markdown);
    expect(Buffer.byteLength(r.markdown.markdown)).toBeLessThan(4096); // WeCom's markdown limit
  });

  describe('follow-ups', () => {
    const note = '请把身份证放在深色桌面上拍摄';

    it('ask for new photos with the reason’s advice and the steward’s note, in Chinese and English', () => {
      const zh = STEWARD_REUPLOAD_REQUEST.render.zh(
        { ...vars, rejectionReasons: ['side_missing'] },
        { ...facts, note },
      );
      expect(zh.email.subject).toBe('【请重新上传】包裹 SF1234567890 清关证件');
      expect(zh.email.text).toContain(
        '物业管家请您为顺丰速运包裹（运单号 SF1234567890）重新上传居民身份证正反面照片',
      );
      expect(zh.email.text).toContain('缺少证件的正面或反面');
      expect(zh.email.text).toContain(`管家留言：${note}`);
      expect(zh.email.text).toContain(LINK);
      // Approved SMS templates carry no free text.
      expect(JSON.stringify(zh.sms)).not.toContain(note);
      expect(zh.sms.params['link']).toBe(LINK);
      const en = STEWARD_REUPLOAD_REQUEST.render.en({ ...vars, rejectionReasons: ['unreadable'] }, facts);
      expect(en.email.text).toContain(
        'Your steward asks you to upload photos of both sides of your resident ID card again',
      );
      expect(en.email.text).toContain('blurred or had glare');
      expect(en.email.text).not.toContain('Your steward adds');
    });

    it('remind the resident of the deadline with a working link', () => {
      const zh = RESIDENT_DEADLINE_REMINDER.render.zh(vars, facts);
      expect(zh.email.subject).toBe('【提醒】包裹 SF1234567890 仍需您上传清关证件');
      expect(zh.email.text).toContain('截止时间为2026年11月28日 14:00（GMT+8）');
      expect(zh.email.text).toContain(LINK);
      const en = RESIDENT_DEADLINE_REMINDER.render.en(vars, facts);
      expect(en.email.text).toContain('The deadline is 28 Nov 2026, 14:00 (GMT+8)');
      expect(() => RESIDENT_DEADLINE_REMINDER.render.en(vars, { ...facts, upload: null })).toThrow(
        /upload link/,
      );
    });

    it('warn of a predicted hold without a link, and never ask for photos by chat', () => {
      const zh = RESIDENT_HOLD_PREDICTED.render.zh(vars, { ...facts, upload: null });
      expect(zh.email.subject).toBe('【提前告知】包裹 SF1234567890 可能需要清关证件');
      expect(zh.email.text).toContain('请不要通过微信、短信或邮件发送证件照片');
      const en = RESIDENT_HOLD_PREDICTED.render.en(vars, { ...facts, upload: null });
      expect(en.email.text).toContain('Customs may ask for photos of both sides of your resident ID card');
      expect(JSON.stringify([zh, en])).not.toContain('https://');
    });

    it('close the case with what happened to the parcel and the retention promise', () => {
      const cleared = { carrierCode: 'sf-express', trackingNumber: 'SF1234567890', trigger: 'delivered' };
      const zh = RESIDENT_CASE_CLEARED.render.zh(cleared, { ...facts, upload: null });
      expect(zh.email.subject).toBe('【已清关】包裹 SF1234567890');
      expect(zh.email.text).toContain('已通过海关清关并已签收');
      expect(zh.email.text).toContain('7天内彻底删除');
      const en = RESIDENT_CASE_CLEARED.render.en({ ...cleared, trigger: 'out_for_delivery' }, facts);
      expect(en.email.text).toContain('has cleared customs and is out for delivery');
    });

    it('tell the manager or operations why a task reached them, without the resident', () => {
      const escalatedVars = {
        taskId: 'ot_9',
        taskKind: 'documents_requested',
        level: 'manager',
        reason: 'deadline_at_risk',
        carrierCode: 'sf-express',
        trackingNumber: 'SF1234567890',
        deadline: '2026-11-28T06:00:00.000Z',
        expedited: false,
        quietHoursOverridden: true,
      };
      const zh = STAFF_TASK_ESCALATED.render.zh(escalatedVars, facts);
      expect(zh.email.subject).toBe('【加急】任务升级：顺丰速运包裹 SF1234567890');
      expect(zh.email.text).toContain('清关截止时间临近，证件仍未齐全');
      expect(zh.push.path).toBe('/tasks/ot_9');
      const en = STAFF_TASK_ESCALATED.render.en(
        { ...escalatedVars, reason: 'unreachable', quietHoursOverridden: false },
        facts,
      );
      expect(en.email.subject).toBe('Escalated: SF Express parcel SF1234567890');
      expect(en.email.text).toContain('could not be reached on any channel');
      const all = JSON.stringify([zh, en]);
      expect(all).not.toContain('李伟');
      expect(all).not.toContain(LINK);
    });
    it('tell the resident a cancelled case needs nothing more, naming no reason and no link', () => {
      const ended = { carrierCode: 'sf-express', trackingNumber: 'SF1234567890' };
      const zh = RESIDENT_CASE_CANCELLED.render.zh(ended, { ...facts, upload: null });
      expect(zh.email.subject).toBe('【无需操作】包裹 SF1234567890 证件请求已取消');
      expect(zh.email.text).toContain('无需再提供任何证件');
      expect(zh.email.text).toContain('7天内彻底删除');
      const en = RESIDENT_CASE_CANCELLED.render.en(ended, facts);
      expect(en.email.subject).toBe('No action needed: documents request for parcel SF1234567890 cancelled');
      expect(en.email.text).toContain('nothing more is needed from you');
      for (const r of [zh, en]) {
        expect(r.sms.params).toEqual({ waybill: 'SF1234567890' });
        expect(JSON.stringify(r)).not.toContain(LINK);
        expect(r.sms.preview).not.toContain('李伟');
      }
    });
    it('tell the resident when the case expired or the parcel goes back, without a link', () => {
      const ended = { carrierCode: 'sf-express', trackingNumber: 'SF1234567890' };
      const zh = RESIDENT_CASE_EXPIRED.render.zh(ended, { ...facts, upload: null });
      expect(zh.email.subject).toBe('【清关已过期】包裹 SF1234567890');
      expect(zh.email.text).toContain('提交期限已过');
      expect(zh.email.text).toContain('7天内彻底删除');
      const en = RESIDENT_CASE_EXPIRED.render.en(ended, facts);
      expect(en.email.subject).toBe('Customs deadline passed: parcel SF1234567890');
      expect(en.email.text).toContain('deleted within 7 days');
      const back = RESIDENT_RETURNED_TO_SENDER.render.zh(ended, facts);
      expect(back.email.subject).toBe('【退回寄件人】包裹 SF1234567890');
      expect(back.email.text).toContain('请联系寄件人或商家');
      expect(RESIDENT_RETURNED_TO_SENDER.render.en(ended, facts).email.text).toContain(
        'returned to the sender',
      );
      for (const r of [zh, en, back]) {
        expect(r.sms.params).toEqual({ waybill: 'SF1234567890' });
        expect(JSON.stringify(r)).not.toContain(LINK);
        expect(r.sms.preview).not.toContain('李伟');
      }
    });

    it('tell the steward which channels the resident withdrew, without the resident', () => {
      const withdrawn = {
        taskId: 'ot_7',
        taskKind: 'documents_requested',
        carrierCode: 'sf-express',
        trackingNumber: 'SF1234567890',
        deadline: '2026-11-28T06:00:00.000Z',
        channels: ['sms', 'email'],
      };
      const zh = STEWARD_CONSENT_WITHDRAWN.render.zh(withdrawn, facts);
      expect(zh.email.subject).toBe('住户已撤回联系授权：顺丰速运包裹 SF1234567890');
      expect(zh.email.text).toContain('通过短信、邮件接收消息的授权');
      expect(zh.email.text).toContain('2026年11月28日 14:00（GMT+8）');
      expect(zh.push.path).toBe('/tasks/ot_7');
      const en = STEWARD_CONSENT_WITHDRAWN.render.en(withdrawn, facts);
      expect(en.email.text).toContain('messages by text message, e-mail');
      expect(JSON.stringify([zh, en])).not.toContain('李伟');
    });
  });
});
