import { BlockList, isIP } from 'node:net';

/*
 * Where Portico may send webhooks. Subscribers choose the URL, so a URL is an SSRF vector: without
 * these rules a tenant could make Portico POST to its own database, the cloud metadata endpoint or
 * anything else on the internal network. Checked when a subscription is saved (the URL's own host)
 * and again on every connection (the addresses its name resolves to, so DNS rebinding does not
 * get around it).
 */

export interface TargetPolicy {
  /** `http:` allowed (local and test set-ups only; production keeps https). */
  readonly allowHttp: boolean;
  /** Private/loopback networks that are allowed anyway (e.g. `127.0.0.1/32` in tests). */
  readonly allowedPrivateNetworks: BlockList;
}

export type UrlProblem =
  'invalid_url' | 'https_required' | 'credentials_in_url' | 'private_address' | 'url_too_long';

export const MAX_URL_LENGTH = 2_048;

/** Networks no webhook may reach unless allowed by name: loopback, private, link-local, CGNAT, … */
const NON_PUBLIC = (() => {
  const list = new BlockList();
  for (const [net, prefix] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16], // includes the cloud metadata endpoint 169.254.169.254
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ] as const)
    list.addSubnet(net, prefix, 'ipv4');
  for (const [net, prefix] of [
    ['::', 128],
    ['::1', 128],
    ['fc00::', 7],
    ['fe80::', 10],
    ['ff00::', 8],
  ] as const)
    list.addSubnet(net, prefix, 'ipv6');
  return list;
})();

/** `a.b.c.d/n` or `v6::/n` entries, comma-separated -> a BlockList (used as an allow-list). */
export function parseNetworkList(raw: string): BlockList {
  const list = new BlockList();
  for (const entry of raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [address = '', prefixText] = entry.split('/');
    const family = isIP(address);
    if (family === 0) throw new Error(`"${entry}" is not an IP network (address/prefix)`);
    const max = family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > max)
      throw new Error(`"${entry}" has an invalid prefix length`);
    list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}

/** `::ffff:10.0.0.1` is 10.0.0.1: check the IPv4 rules for it. */
function normalise(address: string): { address: string; family: 'ipv4' | 'ipv6' } | undefined {
  const bare = address.replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped) return { address: mapped[1]!, family: 'ipv4' };
  const family = isIP(bare);
  if (family === 0) return undefined;
  return { address: bare, family: family === 4 ? 'ipv4' : 'ipv6' };
}

/** Whether a connection to this IP address is allowed. */
export function isAddressAllowed(address: string, policy: TargetPolicy): boolean {
  const ip = normalise(address);
  if (!ip) return false;
  if (!NON_PUBLIC.check(ip.address, ip.family)) return true;
  return policy.allowedPrivateNetworks.check(ip.address, ip.family);
}

/** Validates a subscriber URL as saved; the problem code (never the URL) goes into the error. */
export function checkWebhookUrl(
  raw: string,
  policy: TargetPolicy,
): { ok: true; url: URL } | { ok: false; problem: UrlProblem } {
  if (raw.length > MAX_URL_LENGTH) return { ok: false, problem: 'url_too_long' };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, problem: 'invalid_url' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, problem: 'invalid_url' };
  if (url.protocol === 'http:' && !policy.allowHttp) return { ok: false, problem: 'https_required' };
  if (url.username !== '' || url.password !== '') return { ok: false, problem: 'credentials_in_url' };
  if (url.hostname === '') return { ok: false, problem: 'invalid_url' };
  const host = url.hostname.toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) {
    return isAddressAllowed('127.0.0.1', policy)
      ? { ok: true, url }
      : { ok: false, problem: 'private_address' };
  }
  if (normalise(host) && !isAddressAllowed(host, policy)) return { ok: false, problem: 'private_address' };
  return { ok: true, url };
}
