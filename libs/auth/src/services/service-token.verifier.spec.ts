import { AuthError } from '../auth-error';
import { serviceAuthHeaders, ServiceTokenVerifier } from './service-token.verifier';

const OLD = 'notification-token-old-0123456789';
const NEW = 'notification-token-new-0123456789';
const CLEARANCE = 'clearance-token-0123456789-abcdef';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AuthError);
    return (e as AuthError).code;
  }
  throw new Error('expected an AuthError');
}

describe('ServiceTokenVerifier', () => {
  const verifier = new ServiceTokenVerifier({ notification: [NEW, OLD], clearance: [CLEARANCE] });

  it('accepts either active token of the named caller (rotation)', () => {
    expect(verifier.verify('notification', NEW)).toEqual({ kind: 'service', name: 'notification' });
    expect(verifier.verify('notification', OLD)).toEqual({ kind: 'service', name: 'notification' });
    expect(verifier.callers.sort()).toEqual(['clearance', 'notification']);
  });

  it("refuses a wrong token, another caller's token and an unknown caller", () => {
    expect(codeOf(() => verifier.verify('notification', NEW + 'x'))).toBe('service_token_invalid');
    expect(codeOf(() => verifier.verify('notification', CLEARANCE))).toBe('service_token_invalid');
    expect(codeOf(() => verifier.verify('claims', CLEARANCE))).toBe('service_token_invalid');
    expect(codeOf(() => verifier.verify('notification', ''))).toBe('service_token_invalid');
  });

  it('refuses unsafe tables', () => {
    expect(() => new ServiceTokenVerifier({ notification: [NEW, OLD, CLEARANCE] })).toThrow(/two/);
    expect(() => new ServiceTokenVerifier({ notification: ['short'] })).toThrow(/shorter/);
    expect(() => new ServiceTokenVerifier({ 'Bad Name': [NEW] })).toThrow(/valid service name/);
  });

  it('builds outgoing headers', () => {
    expect(serviceAuthHeaders('notification', NEW)).toEqual({
      authorization: `Bearer ${NEW}`,
      'x-portico-service': 'notification',
    });
  });
});
