import { createHash } from 'node:crypto';

/**
 * SF's (丰桥 open platform) digital signature, "数字签名认证说明" at https://open.sf-express.com:
 *
 *   msgDigest = Base64( MD5( URLEncoder.encode(msgData + timestamp + checkWord, "UTF-8") ) )
 *
 * msgData is the business payload exactly as posted, timestamp the request's milliseconds and
 * checkWord the customer's verification code (校验码). The documented example, which the spec
 * checks: msgData `{"language":"zh-CN","orderId":"QIAO-20200618-004"}`, timestamp `12312334453453`,
 * checkWord `fjcg5PGKaNpPSHFAZ4QsCOkV71R3zVci` give `IIKJtuLVzoFTu4kHI8M8vA==`.
 */
export function sfMsgDigest(msgData: string, timestamp: string, checkWord: string): string {
  return createHash('md5')
    .update(javaUrlEncode(msgData + timestamp + checkWord), 'utf8')
    .digest('base64');
}

/**
 * Java's `URLEncoder.encode(s, "UTF-8")`, which SF's SDKs use: like encodeURIComponent except that
 * a space is `+` and `! ' ( ) ~` are percent-encoded (Java leaves only `a-z A-Z 0-9 . - * _`).
 * The difference matters as soon as a remark contains a space. Throws URIError on a lone surrogate.
 */
export function javaUrlEncode(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}
