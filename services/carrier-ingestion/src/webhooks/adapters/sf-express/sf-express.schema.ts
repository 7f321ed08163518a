import { z } from 'zod';

/**
 * SF Express route push (路由推送, the RoutePushService of SF's open platform 丰桥): the business
 * payload `{ "Body": { "WaybillRoute": [ … ] } }`, one entry per route node. SF adds fields over
 * time, so objects are loose; what Portico uses is validated. Messages never contain the offending
 * value (remarks carry names and phone numbers).
 */

/** `acceptTime` as SF writes it: China Standard Time (UTC+08:00, no daylight saving), no zone. */
const ACCEPT_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;
const CHINA_OFFSET_HOURS = 8;

/** The instant of an SF `acceptTime` (read as +08:00), or undefined when it is not a real time. */
export function chinaTimeOf(value: string): Date | undefined {
  const m = ACCEPT_TIME.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const local = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (
    local.getUTCFullYear() !== y ||
    local.getUTCMonth() !== mo - 1 ||
    local.getUTCDate() !== d ||
    local.getUTCHours() !== h ||
    local.getUTCMinutes() !== mi ||
    local.getUTCSeconds() !== s
  ) {
    return undefined;
  }
  return new Date(local.getTime() - CHINA_OFFSET_HOURS * 3_600_000);
}

const text = (max: number) => z.string().max(max).nullish();

/** Codes and ids are strings in SF's documentation; some senders write them as JSON numbers. */
const code = (max: number) =>
  z.union([z.string().trim().min(1).max(max), z.number().int().nonnegative().transform(String)]);

export const sfWaybillRoute = z.looseObject({
  /** Route node id: unique per node, the same on every retry (String(15) in SF's documentation). */
  id: code(40).nullish(),
  mailno: z.string().trim().min(1).max(40),
  orderid: text(64),
  acceptTime: z
    .string()
    .refine((v) => chinaTimeOf(v) !== undefined, 'YYYY-MM-DD HH:mm:ss in China Standard Time'),
  acceptAddress: text(200),
  remark: text(1000),
  opCode: code(10),
  reasonCode: text(20),
  reasonName: text(200),
});

export const sfRoutePush = z.looseObject({
  Body: z.looseObject({ WaybillRoute: z.array(sfWaybillRoute).min(1).max(100) }),
});

export type SfRoutePush = z.infer<typeof sfRoutePush>;
export type SfWaybillRoute = z.infer<typeof sfWaybillRoute>;
