export type Lang = 'zh' | 'en';

/** Every text of the console, in both languages. Keys, not sentences, in the code. */
export const TEXT = {
  title: { zh: 'Portico 管家工作台', en: 'Portico steward console' },
  language: { zh: 'English', en: '中文' },
  languageLabel: { zh: '切换为英文', en: 'Switch to Chinese' },
  username: { zh: '用户名', en: 'Username' },
  password: { zh: '密码', en: 'Password' },
  signIn: { zh: '登录', en: 'Sign in' },
  signOut: { zh: '退出登录', en: 'Sign out' },
  inbox: { zh: '待办任务', en: 'Inbox' },
  property: { zh: '物业', en: 'Property' },
  allProperties: { zh: '全部物业', en: 'All properties' },
  empty: { zh: '暂无待办任务', en: 'No open tasks' },
  deadline: { zh: '截止', en: 'Deadline' },
  noDeadline: { zh: '无截止时间', en: 'No deadline' },
  expedited: { zh: '加急', en: 'Expedited' },
  open: { zh: '待确认', en: 'Open' },
  acknowledged: { zh: '已确认', en: 'Acknowledged' },
  closed: { zh: '已关闭', en: 'Closed' },
  acknowledge: { zh: '确认接单', en: 'Acknowledge' },
  copyScript: { zh: '复制话术', en: 'Copy script' },
  copied: { zh: '已复制', en: 'Copied' },
  openCase: { zh: '查看详情', en: 'Details' },
  back: { zh: '返回待办', en: 'Back to inbox' },
  timeline: { zh: '处理记录', en: 'Timeline' },
  documents: { zh: '证件审核', en: 'Document review' },
  noDocuments: { zh: '住户尚未上传证件', en: 'The resident has not uploaded documents yet' },
  checks: { zh: '自动检查结果', en: 'Automatic checks' },
  approve: { zh: '通过并转交', en: 'Approve and relay' },
  reject: { zh: '退回重传', en: 'Reject, ask again' },
  reason: { zh: '退回原因', en: 'Reason' },
  live: { zh: '实时更新已连接', en: 'Live updates on' },
  offline: { zh: '实时更新已断开，正在重连', en: 'Live updates lost, reconnecting' },
  script: { zh: '话术', en: 'Script' },
  tracking: { zh: '运单', en: 'Tracking' },
  escalation: { zh: '升级级别', en: 'Escalation' },
  error: { zh: '出错了', en: 'Something went wrong' },
} as const;

export type TextKey = keyof typeof TEXT;

export function t(lang: Lang, key: TextKey): string {
  return TEXT[key][lang];
}

export function formatTime(lang: Lang, iso: string | null): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}
