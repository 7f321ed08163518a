import { createHash, createHmac } from 'node:crypto';
import type { SignedWebhook } from './native-webhook';

/**
 * Deliveries signed the way each aggregator or carrier signs them, written from the providers'
 * documentation and independently of Portico's adapters, so a test that posts them proves the
 * adapters verify what the providers really send.
 */

/** AfterShip: `aftership-hmac-sha256` = base64 HMAC-SHA256 of the raw body with the webhook secret. */
export function signedAfterShipWebhook(secret: string, body: string): SignedWebhook {
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'aftership-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'),
    },
  };
}

/** EasyPost: `X-Hmac-Signature: hmac-sha256-hex=<hex HMAC-SHA256>`, keyed by the NFKD-normalised secret. */
export function signedEasyPostWebhook(secret: string, body: string): SignedWebhook {
  const key = Buffer.from(secret.normalize('NFKD'), 'utf8');
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-hmac-signature': `hmac-sha256-hex=${createHmac('sha256', key).update(body).digest('hex')}`,
    },
  };
}

/** 17TRACK: `sign` = hex SHA-256 of `<raw body>/<security key>`. */
export function signed17TrackWebhook(securityKey: string, body: string): SignedWebhook {
  return {
    body,
    headers: {
      'content-type': 'application/json',
      sign: createHash('sha256').update(`${body}/${securityKey}`, 'utf8').digest('hex'),
    },
  };
}

/**
 * SF Express route push as its open platform posts it: a form with `msgData` (the route JSON),
 * `timestamp` (ms) and `msgDigest` = base64 MD5 of Java-URL-encoded(msgData + timestamp + checkWord).
 * WHATWG form serialisation leaves exactly Java URLEncoder's safe set and writes a space as `+`.
 */
export function signedSfRoutePush(checkWord: string, msgData: string, at = new Date()): SignedWebhook {
  const timestamp = String(at.getTime());
  const encoded = new URLSearchParams([['', msgData + timestamp + checkWord]]).toString().slice(1);
  const form = new URLSearchParams({
    partnerID: 'PORTICO_TEST',
    requestID: `req-${timestamp}`,
    serviceCode: 'RoutePushService',
    timestamp,
    msgDigest: createHash('md5').update(encoded).digest('base64'),
    msgData,
  });
  return { body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
}
