import { BlockList, isIP } from 'node:net';

/**
 * The address a sign-in came from, for the per-address throttle. `X-Forwarded-For` is believed
 * only from configured proxies (CONSOLE_TRUSTED_PROXIES): starting at the connection's peer, each
 * hop that is a trusted proxy hands over to the address it says it forwarded for (the list's
 * rightmost remaining entry), and the first untrusted hop is the client. Entries a client wrote
 * into the header itself sit left of that and are never reached. Pure, apart from node's BlockList.
 */
export class TrustedProxies {
  private readonly list = new BlockList();
  readonly count: number;

  /** `entries`: IPv4/IPv6 addresses or CIDR ranges; throws on anything else (a start-up error). */
  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const [address, bits, extra] = entry.split('/');
      const family = isIP(address ?? '');
      const type = family === 6 ? 'ipv6' : 'ipv4';
      const prefix = bits === undefined ? undefined : Number(bits);
      if (
        family === 0 ||
        extra !== undefined ||
        (prefix !== undefined && (!/^\d{1,3}$/.test(bits!) || prefix > (family === 6 ? 128 : 32)))
      ) {
        throw new Error(`"${entry}" is not an IP address or CIDR range`);
      }
      if (prefix === undefined) this.list.addAddress(address!, type);
      else this.list.addSubnet(address!, prefix, type);
    }
    this.count = entries.length;
    this.entries = [...entries];
  }

  private readonly entries: string[];

  /** As the configuration is described at start (describeConfig). */
  toJSON(): string[] {
    return this.entries;
  }

  has(address: string): boolean {
    const family = isIP(address);
    return family !== 0 && this.list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }
}

/** `::ffff:192.0.2.1` (IPv4 on a dual-stack socket) is 192.0.2.1. */
function normalise(address: string): string {
  const a = address.trim().replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  return mapped ? mapped[1]! : a;
}

export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: TrustedProxies,
): string | null {
  let current = peer ? normalise(peer) : '';
  if (!isIP(current)) return null;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? ''))
    .split(',')
    .map((h) => normalise(h))
    .filter(Boolean);
  while (trusted.has(current) && hops.length > 0) {
    const next = hops.pop()!;
    if (!isIP(next)) return current; // a garbled hop: stop at the last address we could trust
    current = next;
  }
  return current;
}

/**
 * What the throttle counts: the address, or for IPv6 its /64 (one subscriber's network: a guesser
 * holding a /64 would otherwise get a fresh counter for every one of its addresses).
 */
export function addressThrottleSubject(address: string): string {
  if (isIP(address) !== 6) return address;
  const expanded = expandIpv6(address);
  return `${expanded.slice(0, 4).join(':')}::/64`;
}

function expandIpv6(address: string): string[] {
  const [head, tail] = address.toLowerCase().split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = Array(8 - left.length - right.length).fill('0');
  return [...left, ...(tail === undefined ? [] : zeros), ...right].map((g) => g.padStart(4, '0'));
}
