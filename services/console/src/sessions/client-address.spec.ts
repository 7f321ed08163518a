import { addressThrottleSubject, clientAddress, TrustedProxies } from './client-address';

const none = new TrustedProxies([]);
const ingress = new TrustedProxies(['10.0.0.0/8', '2001:db8:ffff::/48', '192.0.2.10']);

describe('client address for the sign-in throttle', () => {
  it('is the peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(clientAddress('203.0.113.7', '198.51.100.1', none)).toBe('203.0.113.7');
    expect(clientAddress('::ffff:203.0.113.7', undefined, none)).toBe('203.0.113.7');
    expect(clientAddress(undefined, '198.51.100.1', none)).toBeNull();
  });

  it('follows X-Forwarded-For through trusted proxies only, from the right', () => {
    expect(clientAddress('10.1.2.3', '198.51.100.1', ingress)).toBe('198.51.100.1');
    // two trusted hops (ingress behind a load balancer)
    expect(clientAddress('10.1.2.3', '198.51.100.1, 192.0.2.10', ingress)).toBe('198.51.100.1');
    // a client that writes its own header: its entries are left of what the proxy appended
    expect(clientAddress('10.1.2.3', '1.1.1.1, 198.51.100.1', ingress)).toBe('198.51.100.1');
    expect(clientAddress('10.1.2.3', ['1.1.1.1', '198.51.100.1'], ingress)).toBe('198.51.100.1');
    // a direct caller outside the trusted ranges cannot choose its address
    expect(clientAddress('203.0.113.7', '10.9.9.9', ingress)).toBe('203.0.113.7');
    // a garbled hop stops at the last trusted address; a trusted peer without header is itself
    expect(clientAddress('10.1.2.3', 'unknown', ingress)).toBe('10.1.2.3');
    expect(clientAddress('10.1.2.3', undefined, ingress)).toBe('10.1.2.3');
    expect(clientAddress('2001:db8:ffff::1', '[2001:db8:1:2::5]', ingress)).toBe('2001:db8:1:2::5');
  });

  it('refuses settings that are not addresses or CIDR ranges', () => {
    for (const bad of ['proxy.local', '10.0.0.0/33', '10.0.0.0/8/1', '::/129', '10.0.0.0/x', ''])
      expect(() => new TrustedProxies([bad])).toThrow(/not an IP address or CIDR range/);
  });

  it('counts IPv4 addresses one by one and IPv6 by their /64', () => {
    expect(addressThrottleSubject('198.51.100.1')).toBe('198.51.100.1');
    expect(addressThrottleSubject('2001:db8:1:2::5')).toBe('2001:0db8:0001:0002::/64');
    expect(addressThrottleSubject('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:0db8:0001:0002::/64');
    expect(addressThrottleSubject('::1')).toBe('0000:0000:0000:0000::/64');
  });
});
