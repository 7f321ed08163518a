import { checkWebhookUrl, isAddressAllowed, parseNetworkList, type TargetPolicy } from './webhook-target';

const production: TargetPolicy = { allowHttp: false, allowedPrivateNetworks: parseNetworkList('') };
const test: TargetPolicy = { allowHttp: true, allowedPrivateNetworks: parseNetworkList('127.0.0.1/32') };

const problem = (url: string, policy = production) => {
  const r = checkWebhookUrl(url, policy);
  return r.ok ? 'ok' : r.problem;
};

describe('webhook URL rules (SSRF)', () => {
  it('accepts public https URLs', () => {
    expect(problem('https://pms.example.com/hooks/portico?x=1')).toBe('ok');
    expect(problem('https://203.0.113.10:8443/hooks')).toBe('ok');
  });

  it('requires https unless http is allowed', () => {
    expect(problem('http://pms.example.com/hooks')).toBe('https_required');
    expect(problem('http://pms.example.com/hooks', test)).toBe('ok');
    expect(problem('ftp://pms.example.com/hooks', test)).toBe('invalid_url');
    expect(problem('not a url')).toBe('invalid_url');
  });

  it('refuses credentials in the URL', () => {
    expect(problem('https://user:pass@pms.example.com/hooks')).toBe('credentials_in_url');
    expect(problem('https://token@pms.example.com/hooks')).toBe('credentials_in_url');
  });

  it('refuses loopback, private, link-local and metadata addresses', () => {
    for (const url of [
      'https://127.0.0.1/hooks',
      'https://localhost/hooks',
      'https://10.1.2.3/hooks',
      'https://172.20.0.1/hooks',
      'https://192.168.1.10/hooks',
      'https://169.254.169.254/latest/meta-data',
      'https://100.64.0.1/hooks',
      'https://0.0.0.0/hooks',
      'https://[::1]/hooks',
      'https://[fd00::1]/hooks',
      'https://[fe80::1]/hooks',
      'https://[::ffff:127.0.0.1]/hooks',
    ]) {
      expect([url, problem(url)]).toEqual([url, 'private_address']);
    }
  });

  it('lets the allowed private networks through, and only those', () => {
    expect(problem('http://127.0.0.1:4000/hooks', test)).toBe('ok');
    expect(problem('http://localhost:4000/hooks', test)).toBe('ok');
    expect(problem('http://127.0.0.2:4000/hooks', test)).toBe('private_address');
    expect(problem('http://10.0.0.1/hooks', test)).toBe('private_address');
  });

  it('checks resolved addresses with the same rules', () => {
    expect(isAddressAllowed('93.184.216.34', production)).toBe(true);
    expect(isAddressAllowed('2606:2800:220:1:248:1893:25c8:1946', production)).toBe(true);
    expect(isAddressAllowed('127.0.0.1', production)).toBe(false);
    expect(isAddressAllowed('::ffff:10.0.0.1', production)).toBe(false);
    expect(isAddressAllowed('127.0.0.1', test)).toBe(true);
    expect(isAddressAllowed('not-an-ip', test)).toBe(false);
  });

  it('refuses very long URLs', () => {
    expect(problem(`https://pms.example.com/${'a'.repeat(2_100)}`)).toBe('url_too_long');
  });

  it('parses network lists and names bad entries', () => {
    expect(() => parseNetworkList('10.0.0.0/8, ::1/128, 127.0.0.1')).not.toThrow();
    expect(() => parseNetworkList('10.0.0.0/33')).toThrow(/prefix/);
    expect(() => parseNetworkList('example.com/8')).toThrow(/not an IP network/);
  });
});
